package dev.steadfast.agent.runtime;

import dev.steadfast.workflow.engine.Databases;
import javax.sql.DataSource;

/** The same tests on a genuine PostgreSQL (pooled, as in the server): V5 and the tracking queries must hold there. */
class PostgresAgentWorkflowTest extends AgentWorkflowTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
