/**
 * Testing kit for workflow authors: an engine on an in-memory database with a virtual clock that
 * skips ahead while nothing runs, and per-instance introspection (mock step results and errors,
 * disable sleeps and retry delays, mock events, force timeouts), like Cloudflare's
 * {@code introspectWorkflowInstance}.
 */
package dev.steadfast.workflow.testing;
