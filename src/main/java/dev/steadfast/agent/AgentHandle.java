package dev.steadfast.agent;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A handle on one agent instance for server code (a workflow, a bean, a servlet). Every call runs
 * inside the instance like a client's RPC: one at a time with its other work, after activating it
 * if it is not in memory. Inside a workflow, make such calls inside a {@code step.run} so that
 * they are not repeated on replay.
 *
 * @param <A> the agent class
 */
public interface AgentHandle<A extends Agent<?>> {
  /** The kebab-case class name clients route with. */
  String agentName();

  /** The instance name. */
  String name();

  /** Runs {@code call} on the instance and returns its result. */
  <R> R call(Function<? super A, R> call);

  /** Runs {@code action} on the instance. */
  default void run(Consumer<? super A> action) {
    call(a -> {
      action.accept(a);
      return null;
    });
  }
}
