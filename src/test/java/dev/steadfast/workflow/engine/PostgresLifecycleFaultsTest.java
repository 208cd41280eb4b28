package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** Lifecycle faults on a real PostgreSQL. */
class PostgresLifecycleFaultsTest extends LifecycleFaultsContract {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
