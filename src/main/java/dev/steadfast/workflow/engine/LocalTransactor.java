package dev.steadfast.workflow.engine;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.util.function.Function;

/** A {@link Transactor} with resource-local transactions, for use outside a container. */
public final class LocalTransactor implements Transactor {
  private final EntityManagerFactory emf;

  public LocalTransactor(EntityManagerFactory emf) {
    this.emf = emf;
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
