package dev.steadfast.workflow.engine;

import java.sql.SQLException;

/**
 * Which failures are the workflow's own and which are its environment's. The rules (documented
 * in docs/lifecycle-faults.md):
 *
 * <ul>
 *   <li>An {@link OutOfMemoryError}, an {@link InternalError} or another {@link
 *       VirtualMachineError} (except {@link StackOverflowError}, which workflow code causes), or a
 *       {@link LinkageError} ({@code NoClassDefFoundError} while an application is redeployed) is
 *       the environment's: the turn runs again later, after a back-off. Thrown inside a step, it
 *       also costs that step a lost attempt (so a step that always runs out of memory ends as
 *       {@code AttemptsLost} instead of looping).
 *   <li>Any other {@link Throwable} thrown by a step is that attempt's failure (retried by the
 *       step's config); thrown by {@code run} itself, it is the instance's failure.
 *   <li>A write the database refuses because of the values themselves (SQLState class 22, "data
 *       exception": too long, out of range, not encodable) would fail again on every retry: the
 *       instance fails with {@code JournalWriteRejected}.
 * </ul>
 */
final class EnvironmentFailure {
  private EnvironmentFailure() {}

  /** True when {@code t} is a failure of the JVM or the deployment, not of the workflow. */
  static boolean is(Throwable t) {
    if (t instanceof StackOverflowError) {
      return false;
    }
    return t instanceof VirtualMachineError || t instanceof LinkageError;
  }

  /**
   * The database's message if {@code e} was caused by a data exception (the values of a write
   * can never be stored), else null.
   */
  static String dataException(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SQLException s && s.getSQLState() != null
          && s.getSQLState().startsWith("22")) {
        return s.getMessage();
      }
      if (c instanceof org.hibernate.exception.DataException d) {
        return d.getSQLException() != null ? d.getSQLException().getMessage() : d.getMessage();
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }
}
