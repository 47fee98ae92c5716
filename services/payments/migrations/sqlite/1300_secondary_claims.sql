-- A secondary or tertiary claim bills what the claim of the payer before
-- it left to the patient: its receivable is that claim's, moved from the
-- patient to this payer, so its journal lines reference the primary claim
-- (with this payer) and the claim's ledger stays one across payers.
ALTER TABLE claims ADD COLUMN primary_claim_id TEXT NOT NULL DEFAULT '';
