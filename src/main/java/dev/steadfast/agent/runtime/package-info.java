/**
 * The agent runtime: registry of live instances, per-instance serialization, the protocol codec,
 * the WebSocket endpoint, durable schedules and the queue. Nothing here is for agent authors.
 */
package dev.steadfast.agent.runtime;
