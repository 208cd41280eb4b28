/**
 * The admin view of agents in the v4 envelope under {@code /client/v4/accounts/{id}/agents}:
 * agent classes, persisted instances and one instance's state. Read-only.
 */
package dev.steadfast.api.agents;
