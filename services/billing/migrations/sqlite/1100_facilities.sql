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

CREATE TRIGGER facilities_insert_bumps_registry_version AFTER INSERT ON facilities
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER facilities_update_bumps_registry_version AFTER UPDATE ON facilities
BEGIN
    UPDATE registry_version SET version = version + 1;
END;

CREATE TRIGGER facilities_delete_bumps_registry_version AFTER DELETE ON facilities
BEGIN
    UPDATE registry_version SET version = version + 1;
END;
