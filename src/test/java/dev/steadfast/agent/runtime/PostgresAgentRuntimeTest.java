package dev.steadfast.agent.runtime;

import dev.steadfast.workflow.engine.Databases;
import javax.sql.DataSource;

/** The same runtime tests on a genuine PostgreSQL: V2__agents.sql and the queries must hold there. */
class PostgresAgentRuntimeTest extends AgentRuntimeTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
