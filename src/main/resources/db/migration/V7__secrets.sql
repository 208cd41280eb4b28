-- Steadfast: secrets shared by every server on one database (version 7). Identical on H2 and
-- PostgreSQL. The key that signs getWorkflows page cursors lives here, so that a cursor stays
-- valid across a restart and on any server of the database, while a forged one is still refused.
CREATE TABLE sf_secret (
  name   VARCHAR(64)  NOT NULL PRIMARY KEY,
  secret VARCHAR(128) NOT NULL
);
