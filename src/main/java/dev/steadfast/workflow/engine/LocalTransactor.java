package dev.steadfast.workflow.engine;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.function.Function;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;

/** A {@link Transactor} with resource-local transactions, for use outside a container. */
public final class LocalTransactor implements Transactor {
  private final EntityManagerFactory emf;
  private final DataSource dataSource;

  /** On a factory built by {@code LocalPersistence} (its DataSource is taken from it). */
  public LocalTransactor(EntityManagerFactory emf) {
    this(emf, (DataSource) emf.getProperties().get(AvailableSettings.DATASOURCE));
  }

  public LocalTransactor(EntityManagerFactory emf, DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("no DataSource: pass the one the factory uses");
    }
    this.emf = emf;
    this.dataSource = dataSource;
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public <T> T inTransaction(Function<EntityManager, T> work) {
    EntityManager em = emf.createEntityManager();
    EntityTransaction tx = em.getTransaction();
    try {
      tx.begin();
      T result = work.apply(em);
      tx.commit();
      return result;
    } catch (RuntimeException | Error e) {
      if (tx.isActive()) {
        try {
          tx.rollback();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    } finally {
      em.close();
    }
  }
}
