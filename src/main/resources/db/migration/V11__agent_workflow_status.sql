-- Steadfast (version 11). Identical on H2 and PostgreSQL.
-- Tracked workflows whose instance ended in an error the agent has not been told of (the engine
-- ended it: a lost attempt, the step limit, an Error out of run): each server looks for them
-- from time to time among the rows still 'queued', which this index finds without a full scan.
CREATE INDEX sf_agent_workflow_status ON sf_agent_workflow (status);
