-- The registry facts a claim is scrubbed against (payers, providers, the
-- submitter profile and payers' rules) change seldom and are read for every
-- claim, so a service keeps them in memory. Every change to them bumps
-- `version` here, in the same transaction, by trigger (no write path can
-- forget it); a service compares the version with the one its copy was read
-- at and reads again when they differ. `epoch` tells databases apart.
CREATE TABLE registry_version (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    epoch TEXT NOT NULL,
    version INTEGER NOT NULL
);
INSERT INTO registry_version (singleton, epoch, version)
VALUES (1, lower(hex(randomblob(16))), 1);

CREATE TRIGGER payers_insert_bumps_registry_version AFTER INSERT ON payers
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payers_update_bumps_registry_version AFTER UPDATE ON payers
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payers_delete_bumps_registry_version AFTER DELETE ON payers
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER providers_insert_bumps_registry_version AFTER INSERT ON providers
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER providers_update_bumps_registry_version AFTER UPDATE ON providers
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER providers_delete_bumps_registry_version AFTER DELETE ON providers
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER submitter_profile_insert_bumps_registry_version AFTER INSERT ON submitter_profile
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER submitter_profile_update_bumps_registry_version AFTER UPDATE ON submitter_profile
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER submitter_profile_delete_bumps_registry_version AFTER DELETE ON submitter_profile
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payer_scrub_rules_insert_bumps_registry_version AFTER INSERT ON payer_scrub_rules
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payer_scrub_rules_update_bumps_registry_version AFTER UPDATE ON payer_scrub_rules
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payer_scrub_rules_delete_bumps_registry_version AFTER DELETE ON payer_scrub_rules
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payer_authorization_codes_insert_bumps_registry_version AFTER INSERT ON payer_authorization_codes
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payer_authorization_codes_update_bumps_registry_version AFTER UPDATE ON payer_authorization_codes
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER payer_authorization_codes_delete_bumps_registry_version AFTER DELETE ON payer_authorization_codes
BEGIN
    UPDATE registry_version SET version = version + 1;
END;
