package dev.steadfast.workflow.engine;

import javax.sql.DataSource;

/** Cron schedules with two servers on a genuine PostgreSQL. */
class PostgresCronScheduleTest extends CronScheduleTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
