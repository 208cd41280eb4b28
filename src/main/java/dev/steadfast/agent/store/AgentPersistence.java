package dev.steadfast.agent.store;

import dev.steadfast.workflow.store.LocalPersistence;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import javax.sql.DataSource;

/** The agent entities' unit outside a container (tests, benchmarks): Hibernate, resource-local. */
public final class AgentPersistence {
  public static final List<Class<?>> ENTITIES =
      List.of(AgentEntity.class, ScheduleEntity.class, QueueEntity.class);

  private AgentPersistence() {}

  /** Migrates the schema of {@code dataSource} and returns an EntityManagerFactory on it. */
  public static EntityManagerFactory create(DataSource dataSource) {
    return LocalPersistence.create(dataSource, ENTITIES);
  }
}
