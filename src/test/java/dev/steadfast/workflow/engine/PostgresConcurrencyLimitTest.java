package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The concurrency limit with two servers on a genuine PostgreSQL. */
class PostgresConcurrencyLimitTest extends ConcurrencyLimitTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
