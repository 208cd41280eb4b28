package dev.steadfast.server;

import dev.steadfast.workflow.engine.Transactor;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The engine's transactions in the server: a new JTA transaction per call; the journal's group
 * commits use a non-transactional datasource on the same database.
 */
@ApplicationScoped
public class JtaTransactor implements Transactor {
  @PersistenceContext(unitName = "steadfast")
  EntityManager em;

  @Resource(lookup = EngineBootstrap.JOURNAL_DATASOURCE)
  DataSource dataSource;

  @Resource(lookup = EngineBootstrap.LEASE_DATASOURCE)
  DataSource leaseDataSource;

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Resource(lookup = EngineBootstrap.READ_DATASOURCE)
  DataSource readDataSource;

  @Override
  public DataSource leaseDataSource() {
    return leaseDataSource;
  }

  @Override
  public DataSource readDataSource() {
    return readDataSource;
  }

  @Override
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public <T> T inTransaction(Function<EntityManager, T> work) {
    T result = work.apply(em);
    em.flush();
    return result;
  }
}
