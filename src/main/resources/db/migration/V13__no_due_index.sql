-- Steadfast (version 13). Identical on H2 and PostgreSQL.
-- The index on due_at alone goes: every query that looks for due instances asks per status and
-- is served by sf_instance_wake (status, due_at) (the dispatcher's poll, its look for the next due
-- time, the backlog gauge). Every claim and release changes due_at or another indexed column,
-- so on PostgreSQL each of them adds an entry to every index of sf_instance: one index fewer to
-- keep up.
DROP INDEX sf_instance_due;
