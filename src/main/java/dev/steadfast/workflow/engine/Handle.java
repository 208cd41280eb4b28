package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.InstanceEventStream;
import dev.steadfast.workflow.InstanceStatus;
import dev.steadfast.workflow.RestartFrom;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.events.QueuedStream;
import java.util.function.Predicate;

/** The engine's {@link WorkflowInstance}: every call reads or changes the stored instance. */
final class Handle implements WorkflowInstance {
  private final WorkflowEngine engine;
  private final WorkflowDefinition def;
  private final String id;

  Handle(WorkflowEngine engine, WorkflowDefinition def, String id) {
    this.engine = engine;
    this.def = def;
    this.id = id;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public InstanceStatus status() {
    return engine.status(def, id);
  }

  @Override
  public void pause() {
    engine.pause(def, id);
  }

  @Override
  public void resume() {
    engine.resume(def, id);
  }

  @Override
  public void terminate() {
    engine.terminate(def, id, false);
  }

  @Override
  public void terminate(boolean rollback) {
    engine.terminate(def, id, rollback);
  }

  @Override
  public void restart() {
    engine.restart(def, id, null);
  }

  @Override
  public void restart(RestartFrom from) {
    engine.restart(def, id, from);
  }

  @Override
  public void sendEvent(String type, Object payload) {
    engine.sendEvent(def, id, type, payload);
  }

  @Override
  public InstanceEventStream subscribe(long cursor, Predicate<InstanceEvent> filter) {
    QueuedStream stream = new QueuedStream();
    stream.attach(engine.events().subscribe(def.name(), id, cursor, filter, stream));
    return stream;
  }

  @Override
  public String toString() {
    return def.name() + "/" + id;
  }
}
