package dev.steadfast.agent.runtime;

/**
 * The agent instance is live on another server sharing this database. Agents are not
 * cluster-aware yet: one instance runs on one server at a time, so its clients must reach that
 * server (sticky routing by the {@code /agents/{agent}/{name}} path), see docs/agents.md.
 */
public final class AgentElsewhereException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final String server;

  AgentElsewhereException(String agent, String name, String server) {
    super("agent " + agent + "/" + name + " is live on server " + server
        + "; an agent instance runs on one server at a time (see docs/agents.md)");
    this.server = server;
  }

  /** The server that holds the instance. */
  public String server() {
    return server;
  }
}
