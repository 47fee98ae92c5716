-- Open exceptions by patient control number: a claim that arrives after
-- its 835 picks up the payments parked for its control number.
CREATE INDEX remittance_exceptions_open_pcn
    ON remittance_exceptions (patient_control_number, reason, posted_at);
