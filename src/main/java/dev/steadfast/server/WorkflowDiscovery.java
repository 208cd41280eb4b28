package dev.steadfast.server;

import dev.steadfast.workflow.Workflow;
import dev.steadfast.workflow.WorkflowEntrypoint;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.WithAnnotations;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/** CDI extension that collects the classes annotated with {@link Workflow}. */
public class WorkflowDiscovery implements Extension {
  private static final Logger LOG = Logger.getLogger(WorkflowDiscovery.class.getName());
  private final List<Class<? extends WorkflowEntrypoint<?, ?>>> workflows = new CopyOnWriteArrayList<>();

  @SuppressWarnings("unchecked")
  <T> void collect(@Observes @WithAnnotations(Workflow.class) ProcessAnnotatedType<T> pat) {
    Class<T> type = pat.getAnnotatedType().getJavaClass();
    if (!type.isAnnotationPresent(Workflow.class)) {
      return;
    }
    if (!WorkflowEntrypoint.class.isAssignableFrom(type)) {
      LOG.warning(type.getName() + " is annotated @Workflow but does not extend WorkflowEntrypoint;"
          + " ignored");
      return;
    }
    workflows.add((Class<? extends WorkflowEntrypoint<?, ?>>) type);
  }

  public List<Class<? extends WorkflowEntrypoint<?, ?>>> workflows() {
    return workflows;
  }
}
