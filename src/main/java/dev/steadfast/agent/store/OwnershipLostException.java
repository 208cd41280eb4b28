package dev.steadfast.agent.store;

/**
 * A write refused because another server now holds the agent instance: this server's lease ran
 * out (a long pause, a database outage) and the other took the instance over. Nothing was
 * written; this server lets go of its copy.
 */
public final class OwnershipLostException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final String holder;

  public OwnershipLostException(String agent, String name, String holder) {
    super(agent + "/" + name + " is now live on server " + holder
        + "; this server's copy lost its lease and its change was not saved");
    this.holder = holder;
  }

  /** The server that holds the instance now. */
  public String holder() {
    return holder;
  }
}
