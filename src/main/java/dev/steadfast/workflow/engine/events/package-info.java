/**
 * The instance event stream: events derived from the step journal (no second record that could
 * disagree with it) and fanned out in memory to the subscribers of each instance.
 */
package dev.steadfast.workflow.engine.events;
