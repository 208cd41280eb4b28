/** Persistence of agents: instance state, schedules and queue items (JPA entities, queries). */
package dev.steadfast.agent.store;
