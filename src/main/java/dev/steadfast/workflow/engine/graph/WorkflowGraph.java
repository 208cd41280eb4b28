package dev.steadfast.workflow.engine.graph;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The code diagram of a workflow class, read from its bytecode: {@code {version, workflow:
 * {class_name, functions, nodes, payload}}} as in Cloudflare's version graph. Node types:
 * {@code step_do}, {@code step_sleep}, {@code step_sleep_until}, {@code step_wait_for_event},
 * {@code loop}, {@code if}, {@code try}, {@code parallel}, {@code block}, {@code function_call}.
 * A step name built at run time has {@code "dynamic": true} and {@code *} for each part that is
 * not a constant ({@code "process-*"}).
 *
 * <p>What it cannot see: which branch a condition takes, how many times a loop runs, steps run
 * by code of other classes (a helper object), or a name passed through a field. The diagram
 * shows the code, not a run; an instance's run is the event stream.
 */
public final class WorkflowGraph {
  /** The shape's version ({@code graph.version}). */
  public static final int VERSION = 1;

  private static final ClassValue<JsonObject> CACHE = new ClassValue<>() {
    @Override
    protected JsonObject computeValue(Class<?> type) {
      try {
        return build(type);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private WorkflowGraph() {}

  /**
   * The graph of {@code workflowClass}'s {@code run} method (computed once per class).
   *
   * @throws UncheckedIOException if the class file cannot be read
   * @throws IllegalArgumentException if the class has no {@code run(WorkflowEvent, step)}
   */
  public static JsonObject of(Class<?> workflowClass) {
    return CACHE.get(workflowClass);
  }

  private static JsonObject build(Class<?> type) throws IOException {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      if (c == dev.steadfast.workflow.WorkflowEntrypoint.class
          || c.getName().equals("dev.steadfast.agent.AgentWorkflow")) {
        break; // the base classes' run only adapts to the author's (named: agent is above us)
      }
      ClassFile cf = ClassFile.of(c);
      for (ClassFile.Method m : cf.methods) {
        if (m.name().equals("run") && m.code() != null
            && (m.access() & (ClassFile.ACC_BRIDGE | ClassFile.ACC_SYNTHETIC)) == 0
            && m.descriptor().startsWith("(Ldev/steadfast/workflow/WorkflowEvent;")) {
          GraphBuilder b = new GraphBuilder(cf);
          JsonObjectBuilder workflow = GraphBuilder.JSON.createObjectBuilder()
              .add("class_name", type.getName())
              .add("nodes", b.nodes(m));
          JsonObjectBuilder functions = GraphBuilder.JSON.createObjectBuilder();
          b.functions.forEach(functions::add);
          workflow.add("functions", functions)
              .add("payload", GraphBuilder.JSON.createObjectBuilder().add("type", "unknown"));
          return GraphBuilder.JSON.createObjectBuilder().add("version", VERSION)
              .add("workflow", workflow).build();
        }
      }
    }
    throw new IllegalArgumentException(type.getName()
        + " declares no run(WorkflowEvent, WorkflowStep) method");
  }
}
