package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** Saga rollbacks on a real PostgreSQL. */
class PostgresRollbackTest extends RollbackContract {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
