-- The service facility an encounter names (its NPI), passed to billing on
-- release; empty when the services were rendered at the billing
-- provider's address.
ALTER TABLE encounters ADD COLUMN facility_npi TEXT NOT NULL DEFAULT '';
