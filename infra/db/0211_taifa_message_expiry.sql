-- Taifa: queued messages by the end of their validity, for the sweep that expires those still waiting for an operator
-- (ScheduledSendsGrain, ReadExpiredQueued): only queued rows are in it, so it stays as small as the queue.
CREATE INDEX IF NOT EXISTS ix_taifa_message_expiry ON taifa_message (expires_at) WHERE status = 0 AND expires_at IS NOT NULL;
