-- Steadfast: fenced claims and maintenance locks (version 3). Identical on H2 and PostgreSQL.

-- Bumped by every claim of the instance (at create, by a poll, by a takeover). Every journal
-- write of a turn is conditional on (owner, epoch) in the same statement or transaction, so a
-- server whose claim was taken over cannot write over the new owner's results.
ALTER TABLE sf_instance ADD COLUMN epoch BIGINT DEFAULT 0 NOT NULL;

-- Work that one server at a time should do (the retention sweep): a row per job, held by the
-- server whose lease on it has not run out (times are the database's clock, epoch millis).
CREATE TABLE sf_lock (
  name         VARCHAR(64)  NOT NULL PRIMARY KEY,
  owner        VARCHAR(64),
  lease_until  BIGINT
);
INSERT INTO sf_lock (name) VALUES ('retention');
