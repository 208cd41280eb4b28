package dev.steadfast.agent.store;

import dev.steadfast.workflow.store.Migrator;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

/** The agent entities' unit outside a container (tests, benchmarks): Hibernate, resource-local. */
public final class AgentPersistence {
  public static final List<Class<?>> ENTITIES =
      List.of(AgentEntity.class, ScheduleEntity.class, QueueEntity.class);

  private AgentPersistence() {}

  /** Migrates the schema of {@code dataSource} and returns an EntityManagerFactory on it. */
  public static EntityManagerFactory create(DataSource dataSource) {
    Migrator.migrate(dataSource);
    Configuration cfg = new Configuration();
    ENTITIES.forEach(cfg::addAnnotatedClass);
    cfg.getProperties().put(AvailableSettings.DATASOURCE, dataSource);
    cfg.setProperty(AvailableSettings.HBM2DDL_AUTO, "none");
    cfg.setProperty("hibernate.enhancer.enableDirtyTracking", "false");
    cfg.setProperty("hibernate.enhancer.enableLazyInitialization", "false");
    return cfg.buildSessionFactory();
  }
}
