package dev.steadfast.agent.runtime;

import dev.steadfast.workflow.engine.Databases;
import javax.sql.DataSource;

/** The ownership leases on a genuine PostgreSQL (V6__agent_owner.sql and its native SQL). */
class PostgresAgentOwnershipTest extends AgentOwnershipTest {
  @Override
  DataSource newDatabase() {
    return Databases.postgres();
  }
}
