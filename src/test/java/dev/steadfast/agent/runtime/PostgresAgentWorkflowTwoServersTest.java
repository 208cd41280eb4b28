package dev.steadfast.agent.runtime;

import dev.steadfast.workflow.engine.Databases;
import javax.sql.DataSource;

/** The hand-over of a turn to the agent's server on a genuine PostgreSQL. */
class PostgresAgentWorkflowTwoServersTest extends AgentWorkflowTwoServersTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
