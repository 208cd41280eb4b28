package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import java.util.List;

/** The engine's {@link WorkflowClient}: one workflow's create and get. */
final class Client<P> implements WorkflowClient<P> {
  private final WorkflowEngine engine;
  private final WorkflowDefinition def;

  Client(WorkflowEngine engine, WorkflowDefinition def) {
    this.engine = engine;
    this.def = def;
  }

  @Override
  public String name() {
    return def.name();
  }

  @Override
  public WorkflowInstance create(String id, P params) {
    return engine.create(def, id, params);
  }

  @Override
  public List<WorkflowInstance> createBatch(List<NewInstance<P>> instances) {
    return engine.createBatch(def, instances);
  }

  @Override
  public WorkflowInstance get(String id) {
    engine.record(def, id);
    return new Handle(engine, def, id);
  }
}
