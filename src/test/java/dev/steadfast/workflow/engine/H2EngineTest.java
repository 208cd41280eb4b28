package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The engine semantics on H2. */
class H2EngineTest extends EngineContract {
  @Override
  DataSource newDatabase() {
    return Databases.h2();
  }
}
