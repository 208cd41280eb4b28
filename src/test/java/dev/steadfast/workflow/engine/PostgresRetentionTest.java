package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** Retention per instance and per workflow on a genuine PostgreSQL. */
class PostgresRetentionTest extends RetentionTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
