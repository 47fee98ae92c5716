-- The registry facts a claim is scrubbed against (payers, providers, the
-- submitter profile and payers' rules) change seldom and are read for every
-- claim, so a service keeps them in memory. Every change to them bumps
-- `version` here, in the same transaction, by trigger (no write path can
-- forget it); a service compares the version with the one its copy was read
-- at and reads again when they differ. `epoch` tells databases apart.
CREATE TABLE registry_version (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    epoch TEXT NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO registry_version (singleton, epoch, version)
VALUES (TRUE, md5(random()::text || clock_timestamp()::text), 1);

CREATE FUNCTION bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_version SET version = version + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER payers_bump_registry_version
    AFTER INSERT OR UPDATE OR DELETE ON payers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
CREATE TRIGGER providers_bump_registry_version
    AFTER INSERT OR UPDATE OR DELETE ON providers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
CREATE TRIGGER submitter_profile_bump_registry_version
    AFTER INSERT OR UPDATE OR DELETE ON submitter_profile
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
CREATE TRIGGER payer_scrub_rules_bump_registry_version
    AFTER INSERT OR UPDATE OR DELETE ON payer_scrub_rules
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
CREATE TRIGGER payer_authorization_codes_bump_registry_version
    AFTER INSERT OR UPDATE OR DELETE ON payer_authorization_codes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
