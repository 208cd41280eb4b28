package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.store.Claim;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Extra database writes that a step's code hands to the engine so that they commit in the same
 * transaction as the step's own journal row: either both are durable or neither is. This is how a
 * step changes a row next to the journal (an agent's state) exactly once across replays and
 * crashes: if the step's record is lost, so is the change, and the step runs again.
 *
 * <p>Only available inside a step's callable ({@link #add} throws elsewhere). The engine calls
 * {@link Extra#committed} after the commit and {@link Extra#discarded} when the attempt failed,
 * timed out, or its journal write did not commit; both run on the thread that ran the callable.
 */
public final class StepWrites {
  private static final Logger LOG = Logger.getLogger(StepWrites.class.getName());
  private static final ThreadLocal<StepWrites> CURRENT = new ThreadLocal<>();

  /** Writes joined to the step's journal transaction, and what to do once its fate is known. */
  public interface Extra {
    /** Statements run after the step's own rows, in the same transaction. */
    List<Stmt> statements();

    /** The step's transaction committed. */
    void committed();

    /** The statements were not committed (attempt failed, turn abandoned, write refused). */
    void discarded();
  }

  private final List<Extra> extras = new ArrayList<>();
  private final Claim claim;
  private final int generation;
  private boolean settled;

  private StepWrites(Claim claim, int generation) {
    this.claim = claim;
    this.generation = generation;
  }

  /**
   * A condition to append to an extra UPDATE or DELETE ({@code WHERE ... AND} this) so that it
   * changes nothing unless the step's own rows are written too: the run it belongs to was not
   * restarted or deleted, and this server's claim on the instance still holds (the same fence as
   * the journal's). Bind {@link #guardParams} after the statement's other parameters.
   */
  public static String guard() {
    StepWrites w = current();
    return "(EXISTS (SELECT 1 FROM sf_instance WHERE uid = ? AND gen = ?) AND "
        + w.claim.condition() + ")";
  }

  /** The parameters of {@link #guard()} for the step running on this thread. */
  public static Object[] guardParams() {
    StepWrites w = current();
    Object[] fence = w.claim.params();
    Object[] out = new Object[2 + fence.length];
    out[0] = w.claim.uid();
    out[1] = w.generation;
    System.arraycopy(fence, 0, out, 2, fence.length);
    return out;
  }

  private static StepWrites current() {
    StepWrites w = CURRENT.get();
    if (w == null) {
      throw new IllegalStateException("this needs to run inside a step (step.run)");
    }
    return w;
  }

  /**
   * Joins {@code extra} to the journal write of the step running on this thread.
   *
   * @throws IllegalStateException outside a step's callable
   */
  public static void add(Extra extra) {
    current().extras.add(extra);
  }

  /** Whether code on this thread runs inside a step's callable. */
  public static boolean inStep() {
    return CURRENT.get() != null;
  }

  static StepWrites open(Claim claim, int generation) {
    StepWrites w = new StepWrites(claim, generation);
    CURRENT.set(w);
    return w;
  }

  /** Ends collection on this thread (after the callable returned or threw). */
  void stopCollecting() {
    CURRENT.remove();
  }

  boolean isEmpty() {
    return extras.isEmpty();
  }

  /** The statements to append to the step's journal write. */
  List<Stmt> statements() {
    List<Stmt> out = new ArrayList<>();
    for (Extra e : extras) {
      out.addAll(e.statements());
    }
    return out;
  }

  void committed() {
    if (settled) {
      return;
    }
    settled = true;
    for (Extra e : extras) {
      try {
        e.committed();
      } catch (RuntimeException ex) {
        LOG.log(Level.WARNING, "after-commit action of a step failed", ex);
      }
    }
  }

  /** Discards whatever was not committed; a no-op after {@link #committed}. */
  void close() {
    CURRENT.remove();
    if (settled) {
      return;
    }
    settled = true;
    for (Extra e : extras) {
      try {
        e.discarded();
      } catch (RuntimeException ex) {
        LOG.log(Level.WARNING, "discarding the writes of a step failed", ex);
      }
    }
  }
}
