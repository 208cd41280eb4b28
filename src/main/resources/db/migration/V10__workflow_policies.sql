-- Steadfast: per-instance retention, concurrency limits and cron schedules (version 10).
-- Identical on H2 and PostgreSQL; times and durations in epoch milliseconds.

-- How long this instance is kept once it completed (retain_success) or errored or was
-- terminated (retain_error): the instance's own retention over its workflow's, resolved when it
-- was created; NULL means the server's default (steadfast.retention).
ALTER TABLE sf_instance ADD COLUMN retain_success BIGINT;
ALTER TABLE sf_instance ADD COLUMN retain_error BIGINT;
-- When the retention sweep deletes the finished instance: its end plus its retention, written
-- with the end. NULL (no retention of its own, or not finished) falls back to ended_at plus the
-- server's default.
ALTER TABLE sf_instance ADD COLUMN purge_at BIGINT;
CREATE INDEX sf_instance_purge ON sf_instance (purge_at);
-- The concurrency limit counts a workflow's running instances at every claim.
CREATE INDEX sf_instance_status ON sf_instance (workflow_name, status);

-- One row per cron schedule of a deployed workflow: the next tick to start an instance at.
-- A server starts the tick's instance and moves next_at on in one transaction, with an instance
-- id derived from the tick, so each tick starts one instance across all servers and restarts.
CREATE TABLE sf_schedule (
  workflow_name  VARCHAR(64)  NOT NULL,
  cron           VARCHAR(200) NOT NULL,
  next_at        BIGINT       NOT NULL,
  created_at     BIGINT       NOT NULL,
  CONSTRAINT sf_schedule_pk PRIMARY KEY (workflow_name, cron)
);
CREATE INDEX sf_schedule_due ON sf_schedule (next_at);
