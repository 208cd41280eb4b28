package dev.steadfast.server;

import dev.steadfast.workflow.BatchOptions;
import dev.steadfast.workflow.BatchResult;
import dev.steadfast.workflow.DeleteResult;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.WorkflowBinding;
import dev.steadfast.workflow.WorkflowClient;
import dev.steadfast.workflow.WorkflowInstance;
import dev.steadfast.workflow.engine.WorkflowEngine;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;
import java.util.List;

/**
 * Makes {@code @Inject @WorkflowBinding("NAME") WorkflowClient<P>} and {@code @Inject
 * WorkflowEngine} work. Clients resolve the engine on each call, so they can be injected into
 * workflows that the engine itself creates.
 */
@ApplicationScoped
public class WorkflowClients {
  @EJB EngineBootstrap bootstrap;

  @Produces
  @Dependent
  @WorkflowBinding("")
  public <P> WorkflowClient<P> client(InjectionPoint ip) {
    WorkflowBinding b = ip.getQualifiers().stream()
        .filter(q -> q instanceof WorkflowBinding).map(q -> (WorkflowBinding) q)
        .findFirst().orElseThrow();
    String name = b.value();
    return new WorkflowClient<>() {
      private WorkflowClient<P> delegate() {
        return bootstrap.engine().client(name);
      }

      @Override
      public String name() {
        return delegate().name();
      }

      @Override
      public WorkflowInstance create(String id, P params) {
        return delegate().create(id, params);
      }

      @Override
      public WorkflowInstance create(String id, P params, Retention retention) {
        return delegate().create(id, params, retention);
      }

      @Override
      public List<WorkflowInstance> createBatch(List<NewInstance<P>> instances) {
        return delegate().createBatch(instances);
      }

      @Override
      public BatchResult createBatch(BatchOptions<P> batch) {
        return delegate().createBatch(batch);
      }

      @Override
      public DeleteResult deleteBatch(List<String> ids) {
        return delegate().deleteBatch(ids);
      }

      @Override
      public WorkflowInstance get(String id) {
        return delegate().get(id);
      }
    };
  }

  @Produces
  public WorkflowEngine engine() {
    return bootstrap.engine();
  }
}
