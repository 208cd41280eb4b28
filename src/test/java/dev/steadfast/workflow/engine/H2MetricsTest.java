package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The engine's metrics on H2. */
class H2MetricsTest extends MetricsContract {
  @Override
  DataSource newDatabase() {
    return Databases.h2();
  }
}
