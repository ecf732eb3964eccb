-- Taifa: receipts for operator ids the ledger never recorded (the operator took a submit whose answer was lost with
-- a silo, and the message was submitted again) are matched by what they carry: the handset (deliver_sm source_addr),
-- the submit date and the start of the text (ReceiptRouter, IMessageLedger.FindByRecipient). This index finds a
-- number's messages of the receipt window's days; each day's partition gets its own copy, walked by message id.
-- Its cost is one more index entry per message inserted, and nothing per status change (the columns never change).
-- On a large existing table, creating it blocks writes to each partition while that partition is indexed.
CREATE INDEX IF NOT EXISTS ix_taifa_message_mobile ON taifa_message (mobile_number, message_id);

-- A lost id, once matched, is kept in taifa_operator_part with a part number below zero (LostPart: -1 - part - 256 * k
-- for the k-th lost id of that part), so its receipt and its repeats find the message by id; the message's own part
-- ids (0 and up) stay as recorded.
