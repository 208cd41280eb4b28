package dev.steadfast.agent;

/**
 * Reaches agent instances from any server code:
 * {@code Agents.get(ChatAgent.class, "room-1").call(a -> a.post("hi"))} (the counterpart of the
 * agents SDK's {@code getAgentByName}). Available once the application's agent runtime started.
 */
public final class Agents {
  /** What the runtime provides; installed at its start. */
  public interface Directory {
    <A extends Agent<?>> AgentHandle<A> get(Class<A> type, String name);

    /** The bridge that {@link AgentWorkflow}s report through. */
    AgentWorkflowStep.Bridge workflowBridge();
  }

  private static volatile Directory directory;

  private Agents() {}

  /**
   * A handle on the instance {@code name} of the agent class {@code type}; the instance is
   * activated on first use, not now.
   *
   * @throws IllegalStateException before the agent runtime started
   * @throws IllegalArgumentException if {@code type} is not a deployed agent
   */
  public static <A extends Agent<?>> AgentHandle<A> get(Class<A> type, String name) {
    return directory().get(type, name);
  }

  /** Runtime use: installs (or with null removes) the running runtime's directory. */
  public static void install(Directory d) {
    directory = d;
  }

  /** Runtime use: removes {@code d} if it is the installed one. */
  public static synchronized void uninstall(Directory d) {
    if (directory == d) {
      directory = null;
    }
  }

  static Directory directory() {
    Directory d = directory;
    if (d == null) {
      throw new IllegalStateException("the agent runtime is not started");
    }
    return d;
  }
}
