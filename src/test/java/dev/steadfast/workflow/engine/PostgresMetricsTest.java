package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The engine's metrics on PostgreSQL. */
class PostgresMetricsTest extends MetricsContract {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
