-- Workflows started by agents (runWorkflow), version 5. Identical on H2 and PostgreSQL; times in
-- epoch millis. The row commits in the same transaction as the instance it tracks.

-- One row per tracked workflow instance of one agent instance (agent, name). workflow_name is
-- the name or binding the agent used; engine_workflow the deployed workflow's name, to join
-- sf_instance (workflow_name, instance_id) for the live status. status, error_* and
-- completed_at are what the callbacks reported; a read prefers the instance's own status.
CREATE TABLE sf_agent_workflow (
  id               VARCHAR(36)  NOT NULL PRIMARY KEY,
  agent            VARCHAR(100) NOT NULL,
  name             VARCHAR(200) NOT NULL,
  workflow_id      VARCHAR(100) NOT NULL,
  workflow_name    VARCHAR(64)  NOT NULL,
  engine_workflow  VARCHAR(64)  NOT NULL,
  status           VARCHAR(20)  NOT NULL,
  metadata         TEXT,
  error_name       VARCHAR(256),
  error_message    TEXT,
  created_at       BIGINT       NOT NULL,
  updated_at       BIGINT       NOT NULL,
  completed_at     BIGINT,
  CONSTRAINT sf_agent_workflow_id UNIQUE (agent, name, workflow_id)
);
CREATE INDEX sf_agent_workflow_page ON sf_agent_workflow (agent, name, created_at, workflow_id);
CREATE INDEX sf_agent_workflow_instance ON sf_agent_workflow (engine_workflow, workflow_id);

-- The metadata's top-level keys, one row each (value as JSON text), so that filters on
-- metadata are plain indexed equality on both databases.
CREATE TABLE sf_agent_workflow_meta (
  row_id  VARCHAR(36)  NOT NULL,
  k       VARCHAR(200) NOT NULL,
  v       VARCHAR(1000) NOT NULL,
  CONSTRAINT sf_agent_workflow_meta_pk PRIMARY KEY (row_id, k)
);
CREATE INDEX sf_agent_workflow_meta_kv ON sf_agent_workflow_meta (k, v);
