-- Taifa: an account's statement (GET /v2/sms/statement) reads its wallet entries by time: the range and the balance
-- before it are each one index range scan, however long the account's history.
CREATE INDEX IF NOT EXISTS ix_taifa_wallet_entry_account_time ON taifa_wallet_entry (account_id, created_at, entry_id);
