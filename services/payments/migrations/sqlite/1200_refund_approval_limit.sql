-- Refunds above this (cents) need a manager's approval: policy data beside
-- the collection policy, $500.00 until changed.
ALTER TABLE collection_policy ADD COLUMN refund_approval_limit BIGINT NOT NULL DEFAULT 50000;
