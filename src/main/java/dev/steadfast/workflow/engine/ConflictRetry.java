package dev.steadfast.workflow.engine;

import java.sql.SQLException;
import java.util.function.Function;
import jakarta.persistence.EntityManager;

/**
 * Runs a transaction again when the database aborted it to break a deadlock or a serialization
 * conflict (SQLState class 40). Bulk deletes lock many instance rows while turns write to some of
 * them; the rows are locked in one order, but a group commit of the journal may still meet a
 * delete in the other order, and then the database picks a victim. A victim delete is simply
 * done again; its work is idempotent (it deletes what is still there).
 */
final class ConflictRetry {
  /** Attempts before the conflict is the caller's: each one waits a little longer. */
  static final int ATTEMPTS = 5;

  private ConflictRetry() {}

  static <T> T inTransaction(Transactor tx, Function<EntityManager, T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return tx.inTransaction(work);
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || !isConflict(e)) {
          throw e;
        }
        try {
          Thread.sleep(10L * attempt * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** True when a cause of {@code e} is a deadlock or serialization failure of the database. */
  static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        String state = s.getSQLState();
        // 40001 serialization failure, 40P01 deadlock (PostgreSQL); H2 reports its deadlocks
        // (error 40001) and lock time-outs (HYT00) with the same meaning for us
        if (state != null && (state.startsWith("40") || state.equals("HYT00"))) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
