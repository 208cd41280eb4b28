-- Steadfast schema, version 4: the servers of a database, so that two servers started with the
-- same server id (a copied data directory, a shared environment variable) are told apart.
CREATE TABLE sf_server (
  server_id   VARCHAR(64)  NOT NULL PRIMARY KEY,
  -- the running incarnation of this id (random per start); NULL once it stopped cleanly
  nonce       VARCHAR(36),
  -- bumped by every presence beat of the incarnation: a live server's count moves
  beats       BIGINT       NOT NULL,
  host        VARCHAR(256),
  started_at  BIGINT       NOT NULL,
  seen_at     BIGINT       NOT NULL
);
