package dev.steadfast.workflow;

import java.util.Objects;

/**
 * The compensation of a step (a saga rollback): code that undoes what the step did, run when the
 * instance fails for good or is terminated with {@code rollback}. Pass it to {@link
 * WorkflowStep#run(String, StepConfig, java.util.concurrent.Callable, Rollback)}:
 *
 * <pre>{@code
 * long charge = step.run("charge", StepConfig.retries(3), () -> payments.charge(cart),
 *     Rollback.of(ctx -> payments.refund(ctx.output())),
 *     StepConfig.retries(10).delay("30 seconds"));
 * }</pre>
 *
 * <p>Compensations run in reverse order of their steps' start, each as a durable step of its
 * own: journaled, retried as its config says, never run again once it succeeded (even after a
 * crash). Write them idempotent: an attempt cut short by a crash runs again.
 *
 * @param <T> the result type of the step it compensates
 */
public final class Rollback<T> {
  /** The code of a compensation. */
  @FunctionalInterface
  public interface Handler<T> {
    /** Undoes the step described by {@code context}; throw to fail this attempt (it is retried). */
    void undo(RollbackContext<T> context) throws Exception;
  }

  private final Handler<T> handler;

  private Rollback(Handler<T> handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /** A compensation running {@code handler}. */
  public static <T> Rollback<T> of(Handler<T> handler) {
    return new Rollback<>(handler);
  }

  public Handler<T> handler() {
    return handler;
  }
}
