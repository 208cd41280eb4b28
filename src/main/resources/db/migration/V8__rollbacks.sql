-- Steadfast: saga rollbacks (version 8). Identical on H2 and PostgreSQL.
-- The compensations themselves are journaled as sf_step/sf_attempt rows of kind 'rollback'.
-- While they run the instance's status is 'rollingBack' (and control is 'rollback' when a
-- terminate with rollback asked for them); these columns keep the outcome once they ended:
-- 'rolledBack', 'failed' (rollback_step, rollback_error_* say which compensation, and why) or
-- 'cancelled' (a plain terminate stopped them). Null when no rollback ran.
ALTER TABLE sf_instance ADD COLUMN rollback_outcome VARCHAR(16);
ALTER TABLE sf_instance ADD COLUMN rollback_step VARCHAR(300);
ALTER TABLE sf_instance ADD COLUMN rollback_error_name VARCHAR(256);
ALTER TABLE sf_instance ADD COLUMN rollback_error_message TEXT;
