package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The step features of issue 10 on H2. */
class H2StepFeaturesTest extends StepFeaturesContract {
  @Override
  DataSource newDatabase() {
    return Databases.h2();
  }
}
