-- Taifa: an account's message history (GET /v2/sms/messages and messages.csv), newest first, keyset-paged by
-- message_id. Each index ends in message_id, so a page walks one of them backwards from its cursor and stops at its
-- limit: its cost does not grow with the messages stored. On the partitioned table every day's partition gets its own
-- copy, and the partitions come in message_id order, so no sort is needed across them either.
CREATE INDEX IF NOT EXISTS ix_taifa_message_account ON taifa_message (account_id, message_id);
CREATE INDEX IF NOT EXISTS ix_taifa_message_account_mobile ON taifa_message (account_id, mobile_number, message_id);
CREATE INDEX IF NOT EXISTS ix_taifa_message_account_sender ON taifa_message (account_id, sender_id, message_id);
