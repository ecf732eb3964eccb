-- Taifa: the message history's status filter (GET /v2/sms/messages?status=…) walks this index backwards from its
-- cursor, as the other history indexes of 0203 do, now that the rows' status is current (dispatch, receipts and
-- cancellation write it).
CREATE INDEX IF NOT EXISTS ix_taifa_message_account_status ON taifa_message (account_id, status, message_id);
