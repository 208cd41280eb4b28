package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.BatchResult;
import dev.steadfast.workflow.DeleteResult;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import java.util.List;

/** The engine's {@link WorkflowClient}: one workflow's create, batches and get. */
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
    return engine.create(def, id, params, null);
  }

  @Override
  public WorkflowInstance create(String id, P params, Retention retention) {
    return engine.create(def, id, params, retention);
  }

  @Override
  public List<WorkflowInstance> createBatch(List<NewInstance<P>> instances) {
    return engine.batches().createAll(def, instances);
  }

  @Override
  public BatchResult createBatch(BatchOptions<P> batch) {
    return engine.batches().create(def, batch);
  }

  @Override
  public DeleteResult deleteBatch(List<String> ids) {
    return engine.batches().delete(def, ids);
  }

  @Override
  public WorkflowInstance get(String id) {
    engine.record(def, id);
    return new Handle(engine, def, id);
  }
}
