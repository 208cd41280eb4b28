-- Steadfast agents schema, version 2. Identical on H2 and PostgreSQL; times in epoch millis.

-- One row per agent instance (agent = kebab class name). state NULL: never set;
-- the text 'null' is a JSON null state, so falsy states round-trip.
CREATE TABLE sf_agent (
  agent       VARCHAR(100) NOT NULL,
  name        VARCHAR(200) NOT NULL,
  state       TEXT,
  created_at  BIGINT       NOT NULL,
  updated_at  BIGINT       NOT NULL,
  CONSTRAINT sf_agent_pk PRIMARY KEY (agent, name)
);

-- Durable schedules: the rows are the source of truth, the timer is re-armed from due_at.
CREATE TABLE sf_agent_schedule (
  id                VARCHAR(36)  NOT NULL PRIMARY KEY,
  agent             VARCHAR(100) NOT NULL,
  name              VARCHAR(200) NOT NULL,
  callback          VARCHAR(200) NOT NULL,
  payload           TEXT,
  type              VARCHAR(16)  NOT NULL,
  due_at            BIGINT       NOT NULL,
  delay_seconds     BIGINT,
  cron              VARCHAR(200),
  interval_seconds  BIGINT,
  -- set while a run is going: overlapping runs are skipped, a run older than 30 s is reset
  running_since     BIGINT,
  created_at        BIGINT       NOT NULL
);
CREATE INDEX sf_agent_schedule_due ON sf_agent_schedule (due_at);
CREATE INDEX sf_agent_schedule_owner ON sf_agent_schedule (agent, name);

-- The per-instance FIFO queue; seq orders items (monotonic, assigned by the runtime).
CREATE TABLE sf_agent_queue (
  id          VARCHAR(36)  NOT NULL PRIMARY KEY,
  agent       VARCHAR(100) NOT NULL,
  name        VARCHAR(200) NOT NULL,
  callback    VARCHAR(200) NOT NULL,
  payload     TEXT,
  seq         BIGINT       NOT NULL,
  created_at  BIGINT       NOT NULL
);
CREATE INDEX sf_agent_queue_owner ON sf_agent_queue (agent, name, seq);
