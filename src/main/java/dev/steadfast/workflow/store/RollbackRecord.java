package dev.steadfast.workflow.store;

/**
 * The stored outcome of an instance's rollback (columns {@code rollback_*} of sf_instance).
 *
 * @param outcome {@code rolledBack}, {@code failed} or {@code cancelled}
 * @param step the compensation that failed ({@code "charge-1"}), else null
 * @param errorName its error, else null
 * @param errorMessage its error, else null
 */
public record RollbackRecord(String outcome, String step, String errorName, String errorMessage) {

  /** The statements that read and write these columns. */
  public static final class Rows {
    private Rows() {}

    /** The outcome stored for the instance, or null (in the caller's transaction). */
    public static RollbackRecord read(jakarta.persistence.EntityManager em, String uid) {
      InstanceEntity e = em.find(InstanceEntity.class, uid);
      return e == null ? null : e.rollback();
    }

    /**
     * The instance starts rolling back: status rollingBack, {@code errorName}/{@code
     * errorMessage} the failure that caused it (null for a terminate), a pending pause dropped
     * (a terminate's 'rollback' request stays: it tells later turns why they roll back). Fenced by the claim (count 0 when it no longer holds).
     */
    public static JournalWriter.Stmt startStmt(Claim c, int gen, String errorName,
        String errorMessage, long now) {
      return new JournalWriter.Stmt("UPDATE sf_instance SET status = 'rollingBack',"
          + " error_name = COALESCE(?, error_name), error_message = COALESCE(?, error_message),"
          + " control = CASE WHEN control = 'rollback' THEN control ELSE NULL END, modified_at = ?"
          + " WHERE uid = ? AND owner = ? AND epoch = ? AND gen = ?",
          JournalWriter.nullOf(errorName), JournalWriter.nullOf(errorMessage), now, c.uid(),
          c.owner(), c.epoch(), gen);
    }

    /**
     * The rollback ended: the instance settles in {@code status} (errored or terminated) with the
     * outcome and gives up its claim, unless the claim is gone. Count 1 when written.
     */
    public static JournalWriter.Stmt endStmt(Claim c, int gen, String status, RollbackRecord r,
        long now) {
      return new JournalWriter.Stmt("UPDATE sf_instance SET status = ?, rollback_outcome = ?,"
          + " rollback_step = ?, rollback_error_name = ?, rollback_error_message = ?,"
          + " ended_at = ?, modified_at = ?, due_at = NULL, owner = NULL, lease_until = NULL,"
          + " control = NULL, started_at = COALESCE(started_at, ?)"
          + " WHERE uid = ? AND owner = ? AND epoch = ? AND gen = ?",
          status, r.outcome(), JournalWriter.nullOf(r.step()), JournalWriter.nullOf(r.errorName()),
          JournalWriter.nullOf(r.errorMessage()), now, now, now, c.uid(), c.owner(), c.epoch(),
          gen);
    }

    /**
     * A rolling-back instance waits (a compensation's retry delay, or a failure that is not the
     * workflow's): it stays rollingBack, runs again at {@code dueAt}, and gives up its claim.
     */
    public static JournalWriter.Stmt waitStmt(Claim c, int gen, long dueAt, long now) {
      return new JournalWriter.Stmt("UPDATE sf_instance SET status = 'rollingBack', due_at = ?,"
          + " modified_at = ?, owner = NULL, lease_until = NULL"
          + " WHERE uid = ? AND owner = ? AND epoch = ? AND gen = ?",
          dueAt, now, c.uid(), c.owner(), c.epoch(), gen);
    }
  }
}
