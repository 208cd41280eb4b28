package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** Saga rollbacks on H2. */
class H2RollbackTest extends RollbackContract {
  @Override
  DataSource newDatabase() {
    return Databases.h2();
  }
}
