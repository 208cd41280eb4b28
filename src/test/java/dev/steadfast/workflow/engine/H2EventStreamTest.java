package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The instance event stream on H2. */
class H2EventStreamTest extends EventStreamContract {
  @Override
  DataSource newDatabase() {
    return Databases.h2();
  }
}
