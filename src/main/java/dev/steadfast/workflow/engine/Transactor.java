package dev.steadfast.workflow.engine;

import jakarta.persistence.EntityManager;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Runs work in a new transaction of its own and commits it (JTA in the server, resource-local in
 * plain tests). The work's exception rolls the transaction back and is rethrown.
 */
public interface Transactor {
  <T> T inTransaction(Function<EntityManager, T> work);

  /**
   * The database the transactions run on, for the journal's group-committed writes in plain
   * JDBC. Connections taken from it outside a transaction commit on their own (no JTA).
   */
  DataSource dataSource();

  /**
   * Where lease renewals, probes and maintenance locks take their connections: by default the
   * journal's; the server gives them a small pool of their own, so nothing else can starve them.
   */
  default DataSource leaseDataSource() {
    return dataSource();
  }

  /**
   * Where the API's reads (instance details, listings, {@code WorkflowClient.get}) take their
   * connections, each read one autocommit statement or a few: by default the journal's; the
   * server gives them a pool of their own, so a burst of reads never waits behind group commits.
   */
  default DataSource readDataSource() {
    return dataSource();
  }
}
