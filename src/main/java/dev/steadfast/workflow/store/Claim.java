package dev.steadfast.workflow.store;

/**
 * A turn's claim on an instance: the owner and the claim epoch it got when it claimed. Every
 * journal write of the turn is conditional on it in the same statement, so a server whose claim
 * was taken over (its lease ran out in a GC pause, a stalled heartbeat, a network partition)
 * writes nothing: the statement updates no row, and the turn is abandoned.
 *
 * @param uid the instance
 * @param owner the server id that claimed it
 * @param epoch {@code sf_instance.epoch} as the claim set it
 * @param dialect on PostgreSQL the condition share-locks the instance row, so a takeover waits
 *     for a write in flight to commit (and then reads it) instead of racing it
 */
public record Claim(String uid, String owner, long epoch, JournalWriter.Dialect dialect) {
  /** The SQL condition that holds while the claim does; binds {@link #params()}. */
  public String condition() {
    return "EXISTS (SELECT 1 FROM sf_instance WHERE uid = ? AND owner = ? AND epoch = ?"
        + (dialect == JournalWriter.Dialect.POSTGRESQL ? " FOR SHARE" : "") + ")";
  }

  /** The parameters of {@link #condition()}. */
  public Object[] params() {
    return new Object[] {uid, owner, epoch};
  }
}
