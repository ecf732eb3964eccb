-- Taifa: while messages still go on to their own MessageGrain records (until the dispatchers read the message table,
-- issue 12 step 3), the account marks what it handed off; what a dead activation had not is found again by account.
ALTER TABLE taifa_message ADD COLUMN IF NOT EXISTS handed_off boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS ix_taifa_message_not_handed_off ON taifa_message (account_id, message_id) WHERE NOT handed_off;
