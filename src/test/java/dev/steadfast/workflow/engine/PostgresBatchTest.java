package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** Batches on a genuine PostgreSQL. */
class PostgresBatchTest extends BatchTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
