package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The listing and batched deletion on a genuine PostgreSQL. */
class PostgresInstanceListingTest extends InstanceListingTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
