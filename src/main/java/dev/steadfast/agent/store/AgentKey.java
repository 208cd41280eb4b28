package dev.steadfast.agent.store;

import java.io.Serializable;
import java.util.Objects;

/** Primary key of {@link AgentEntity}: kebab agent class name and instance name. */
public class AgentKey implements Serializable {
  String agent;
  String name;

  public AgentKey() {}

  public AgentKey(String agent, String name) {
    this.agent = agent;
    this.name = name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentKey k && k.agent.equals(agent) && k.name.equals(name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(agent, name);
  }
}
