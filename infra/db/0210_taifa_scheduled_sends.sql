-- Taifa: scheduled sends (sendsms send_at, SMPP schedule_delivery_time). A scheduled message is accepted and debited
-- like any other, with status 8 (scheduled) and its send time; ScheduledSendsGrain reads the due ones through the
-- partial index below and hands them off, which makes them queued (status 0).
ALTER TABLE taifa_message ADD COLUMN IF NOT EXISTS send_at timestamptz NULL;
-- And when a message not yet taken by an operator expires (validity_period; null in rows from before: no limit).
ALTER TABLE taifa_message ADD COLUMN IF NOT EXISTS expires_at timestamptz NULL;
CREATE INDEX IF NOT EXISTS ix_taifa_message_scheduled ON taifa_message (send_at, message_id) WHERE status = 8;

-- As in 0205 (the queued rows of a dropped day leave the queue depth), and a day that still holds a message waiting
-- for its send time is kept (a send may be scheduled up to 90 days after its acceptance, as long as the default
-- retention): it is dropped on a later day, once sent.
CREATE OR REPLACE FUNCTION taifa_ledger_drop_before(first_kept date) RETURNS integer
LANGUAGE plpgsql AS
$$
DECLARE
    partition record;
    dropped   integer := 0;
    waiting   boolean;
BEGIN
    PERFORM pg_advisory_xact_lock(7461696661200);
    FOR partition IN
        SELECT child.relname AS name, substring(child.relname FROM '(\d{8})$') AS day
        FROM pg_inherits
        JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
        JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE parent.relname = 'taifa_message'
    LOOP
        IF partition.day IS NOT NULL AND to_date(partition.day, 'YYYYMMDD') < first_kept THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE status = 8)', partition.name) INTO waiting;
            IF NOT waiting THEN
                EXECUTE format('INSERT INTO taifa_queue_delta (delta) SELECT -count(*) FROM %I WHERE status = 0 HAVING count(*) > 0', partition.name);
                EXECUTE format('DROP TABLE IF EXISTS %I', partition.name);
                EXECUTE format('DROP TABLE IF EXISTS %I', 'taifa_operator_part_p' || partition.day);
                dropped := dropped + 1;
            END IF;
        END IF;
    END LOOP;
    RETURN dropped;
END
$$;
