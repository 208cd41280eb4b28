-- Steadfast (version 12). Identical on H2 and PostgreSQL.
-- The status an instance's last claim found it in. A claim of an instance that is simply due
-- (asleep or waiting, or queued) also starts its turn in the same UPDATE, and the dispatcher
-- reads the status it had before from here (a queued one announces its start, a running one is
-- being taken over). Informational otherwise; not indexed, so a claim's UPDATE changes no index
-- it did not change before.
ALTER TABLE sf_instance ADD COLUMN claimed_from VARCHAR(20);
