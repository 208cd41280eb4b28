package dev.steadfast.workflow.engine;

/**
 * Thrown by code a turn runs (a step, or {@code run} itself) when what it needs lives on another
 * server of the same database: the agent instance that started the workflow, live there. The
 * turn stops without writing anything, the attempt it was in is not counted, and the instance
 * is handed to {@code server}: due at once, reserved for it for a lease (the others leave it
 * alone meanwhile; after that any server may take it, e.g. when that server died). An {@link
 * Error}, like the engine's other signals, so that workflow code catching {@code Exception}
 * around a step does not swallow it.
 */
public final class RunElsewhere extends Error {
  private static final long serialVersionUID = 1L;
  private final String server;

  public RunElsewhere(String server, String why) {
    super(why, null, false, false);
    this.server = server;
  }

  /** The server the instance should run on. */
  public String server() {
    return server;
  }
}
