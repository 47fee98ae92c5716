-- Service facilities: where services are rendered when not at the billing
-- provider's address. Claims read them from the in-memory registry copy,
-- so a change bumps registry_version like the other registry tables.
CREATE TABLE facilities (
    facility_id TEXT PRIMARY KEY,
    npi TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The facility coding released an encounter with, and the claim's.
ALTER TABLE released_encounters ADD COLUMN facility_npi TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN service_facility_npi TEXT NOT NULL DEFAULT '';

CREATE TRIGGER facilities_bump_registry_version
    AFTER INSERT OR UPDATE OR DELETE ON facilities
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
