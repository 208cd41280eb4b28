package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentHandle;
import dev.steadfast.agent.AgentWorkflowStep;
import dev.steadfast.agent.Agents;
import java.util.function.Function;

/** {@link Agents}' directory for one runtime: handles whose calls run inside the instance. */
final class AgentHandles implements Agents.Directory {
  private final AgentRuntime runtime;

  AgentHandles(AgentRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public <A extends Agent<?>> AgentHandle<A> get(Class<A> type, String name) {
    AgentType t = runtime.types().values().stream().filter(x -> x.type() == type).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(type.getName()
            + " is not a deployed agent (is it annotated @AgentDefinition?)"));
    return handle(t.kebab(), name);
  }

  @Override
  public AgentWorkflowStep.Bridge workflowBridge() {
    return runtime.workflows();
  }

  <A extends Agent<?>> AgentHandle<A> handle(String kebab, String name) {
    if (!runtime.knows(kebab)) {
      throw new NoSuchAgentException(kebab);
    }
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("an agent instance needs a name");
    }
    return new AgentHandle<>() {
      @Override
      public String agentName() {
        return kebab;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public <R> R call(Function<? super A, R> call) {
        return callIn(runtime.instance(kebab, name), call);
      }
    };
  }

  /** Runs {@code call} inside {@code in}, as any entry into agent code (held, serialized). */
  @SuppressWarnings("unchecked")
  static <A extends Agent<?>, R> R callIn(AgentInstance in, Function<? super A, R> call) {
    in.busy();
    try {
      return in.onBehalfOf(null, () -> call.apply((A) in.agent()));
    } finally {
      in.done();
    }
  }
}
