/**
 * The agent authoring API: extend {@link dev.steadfast.agent.Agent}, mark methods {@link
 * dev.steadfast.agent.Callable}, and clients reach the agent over the Agents wire protocol.
 */
package dev.steadfast.agent;
