package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The engine semantics on a real PostgreSQL. */
class PostgresEngineTest extends EngineContract {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
