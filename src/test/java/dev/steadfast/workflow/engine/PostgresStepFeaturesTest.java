package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** The step features of issue 10 on PostgreSQL. */
class PostgresStepFeaturesTest extends StepFeaturesContract {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
