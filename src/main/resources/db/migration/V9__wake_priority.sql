-- Steadfast (version 9). Identical on H2 and PostgreSQL.
-- The dispatcher runs instances that wake (from a sleep, a retry delay, an event time-out) before
-- newly queued ones when its workers are all busy: it asks for due instances per status, which
-- this index serves without walking a long backlog of queued instances.
CREATE INDEX sf_instance_wake ON sf_instance (status, due_at);
