/**
 * The workflow authoring API: what a workflow author writes against (entrypoint, event, step,
 * step config, errors) and what application code uses to start and control instances (client,
 * instance handle, statuses). Everything else lives in {@code engine} and {@code store}.
 */
package dev.steadfast.workflow;
