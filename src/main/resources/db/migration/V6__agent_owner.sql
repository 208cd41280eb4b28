-- Steadfast agents, version 6: which server runs each live agent instance. Agents are not
-- cluster-aware yet, so an instance is live on one server at a time: a server activating it
-- takes this lease (or finds it held by another server and refuses), renews it while the
-- instance is in memory, and deletes it when it evicts the instance or stops.
CREATE TABLE sf_agent_owner (
  agent        VARCHAR(100) NOT NULL,
  name         VARCHAR(200) NOT NULL,
  owner        VARCHAR(200) NOT NULL,
  lease_until  BIGINT       NOT NULL,
  CONSTRAINT sf_agent_owner_pk PRIMARY KEY (agent, name)
);
CREATE INDEX sf_agent_owner_by_owner ON sf_agent_owner (owner);
