package dev.steadfast.workflow.store;

import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

/**
 * Builds the engine's persistence unit outside a container (tests, benchmarks, embedded use):
 * Hibernate with resource-local transactions on a given DataSource. In the server the container
 * builds the same unit from {@code META-INF/persistence.xml} with JTA.
 */
public final class LocalPersistence {
  /** The entity classes of the engine. */
  public static final List<Class<?>> ENTITIES =
      List.of(
          WorkflowEntity.class,
          InstanceEntity.class,
          StepEntity.class,
          AttemptEntity.class,
          EventEntity.class);

  private LocalPersistence() {}

  /** Migrates the schema of {@code dataSource} and returns an EntityManagerFactory on it. */
  public static EntityManagerFactory create(DataSource dataSource) {
    return create(dataSource, ENTITIES);
  }

  /** The same for another set of entities (the agents' store uses it). */
  public static EntityManagerFactory create(DataSource dataSource, List<Class<?>> entities) {
    Migrator.migrate(dataSource);
    Configuration cfg = new Configuration();
    entities.forEach(cfg::addAnnotatedClass);
    cfg.getProperties().put(AvailableSettings.DATASOURCE, dataSource);
    cfg.setProperty(AvailableSettings.HBM2DDL_AUTO, "none");
    cfg.setProperty(AvailableSettings.STATEMENT_BATCH_SIZE, "50");
    cfg.setProperty(AvailableSettings.ORDER_INSERTS, "true");
    cfg.setProperty(AvailableSettings.ORDER_UPDATES, "true");
    cfg.setProperty("hibernate.enhancer.enableDirtyTracking", "false");
    cfg.setProperty("hibernate.enhancer.enableLazyInitialization", "false");
    return cfg.buildSessionFactory();
  }
}
