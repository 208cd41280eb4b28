package dev.steadfast.agent.runtime;

import dev.steadfast.agent.Agent;
import dev.steadfast.agent.AgentDefinition;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.WithAnnotations;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/** CDI extension that collects the classes annotated {@link AgentDefinition}. */
public class AgentDiscovery implements Extension {
  private static final Logger LOG = Logger.getLogger(AgentDiscovery.class.getName());
  private final List<Class<? extends Agent<?>>> agents = new CopyOnWriteArrayList<>();

  @SuppressWarnings("unchecked")
  <T> void collect(@Observes @WithAnnotations(AgentDefinition.class) ProcessAnnotatedType<T> pat) {
    Class<T> type = pat.getAnnotatedType().getJavaClass();
    if (!type.isAnnotationPresent(AgentDefinition.class)
        || Modifier.isAbstract(type.getModifiers())) {
      return;
    }
    if (!Agent.class.isAssignableFrom(type)) {
      LOG.warning(type.getName() + " is an @AgentDefinition but does not extend Agent; ignored");
      return;
    }
    agents.add((Class<? extends Agent<?>>) type);
  }

  public List<Class<? extends Agent<?>>> agents() {
    return agents;
  }
}
