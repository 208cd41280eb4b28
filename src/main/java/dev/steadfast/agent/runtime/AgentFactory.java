package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;

/** Creates agent objects: through CDI in the server, by constructor in tests. */
@FunctionalInterface
public interface AgentFactory {
  Agent<?> create(Class<? extends Agent<?>> type);
}
