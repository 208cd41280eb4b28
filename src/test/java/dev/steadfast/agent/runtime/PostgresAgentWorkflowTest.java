package dev.steadfast.agent.runtime;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.steadfast.workflow.engine.Databases;
import javax.sql.DataSource;

/**
 * The same tests on a genuine PostgreSQL: V5 and the tracking queries must hold there. Behind a
 * pool as in the server (a new PostgreSQL connection per query would dominate the run time).
 */
class PostgresAgentWorkflowTest extends AgentWorkflowTest {
  @Override
  DataSource newDatabase() {
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(Databases.postgres());
    hc.setMaximumPoolSize(8);
    return new HikariDataSource(hc);
  }
}
