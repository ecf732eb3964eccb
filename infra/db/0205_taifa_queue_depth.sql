-- Taifa: the durable queue's depth (GET /v2/sms/health queue_depth), kept by the statements that change it. Counting
-- the queued rows, even through their partial index, costs what the index holds, and between vacuums it holds every
-- row dispatched since (measured: 0.5 s per count after 2 million dispatches, on a 2-core machine); so each statement
-- that inserts, updates or deletes messages appends the change it made to the number of queued rows, one row per
-- statement (a statement-level trigger over its transition tables: exact whoever writes, silos of an older version
-- during a rolling upgrade too), and a read folds those rows into one (taifa_queue_depth()).
CREATE TABLE IF NOT EXISTS taifa_queue_delta
(
    delta_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delta    bigint NOT NULL
);

CREATE OR REPLACE FUNCTION taifa_queue_delta_of_insert() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO taifa_queue_delta (delta) SELECT count(*) FROM new_rows WHERE status = 0 HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION taifa_queue_delta_of_update() RETURNS trigger
LANGUAGE plpgsql AS
$$
DECLARE
    delta bigint;
BEGIN
    SELECT (SELECT count(*) FROM new_rows WHERE status = 0) - (SELECT count(*) FROM old_rows WHERE status = 0) INTO delta;
    IF delta <> 0 THEN
        INSERT INTO taifa_queue_delta (delta) VALUES (delta);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION taifa_queue_delta_of_delete() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO taifa_queue_delta (delta) SELECT -count(*) FROM old_rows WHERE status = 0 HAVING count(*) > 0;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS taifa_message_queue_insert ON taifa_message;
DROP TRIGGER IF EXISTS taifa_message_queue_update ON taifa_message;
DROP TRIGGER IF EXISTS taifa_message_queue_delete ON taifa_message;
CREATE TRIGGER taifa_message_queue_insert AFTER INSERT ON taifa_message
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION taifa_queue_delta_of_insert();
CREATE TRIGGER taifa_message_queue_update AFTER UPDATE ON taifa_message
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION taifa_queue_delta_of_update();
CREATE TRIGGER taifa_message_queue_delete AFTER DELETE ON taifa_message
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION taifa_queue_delta_of_delete();

-- The queue as this script finds it (the triggers above hold the table's lock until this transaction ends, so no
-- write slips between them and this count).
DELETE FROM taifa_queue_delta;
INSERT INTO taifa_queue_delta (delta) SELECT count(*) FROM taifa_message WHERE status = 0;

-- Folds the committed deltas into one row and answers their sum. Rows of a transaction not yet committed are not
-- seen, so not folded: they count once they commit. Two silos folding at once each fold only what they deleted.
CREATE OR REPLACE FUNCTION taifa_queue_depth() RETURNS bigint
LANGUAGE plpgsql AS
$$
DECLARE
    depth bigint;
BEGIN
    WITH folded AS (DELETE FROM taifa_queue_delta RETURNING delta)
    INSERT INTO taifa_queue_delta (delta) SELECT sum(delta) FROM folded HAVING sum(delta) <> 0;
    SELECT COALESCE(sum(delta), 0) INTO depth FROM taifa_queue_delta;
    RETURN depth;
END
$$;

-- As in 0200, and a day dropped past the retention takes its queued messages out of the count (DROP fires no trigger).
CREATE OR REPLACE FUNCTION taifa_ledger_drop_before(first_kept date) RETURNS integer
LANGUAGE plpgsql AS
$$
DECLARE
    partition record;
    dropped   integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(7461696661200);
    FOR partition IN
        SELECT child.relname AS name, substring(child.relname FROM '(\d{8})$') AS day
        FROM pg_inherits
        JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
        JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE parent.relname IN ('taifa_message', 'taifa_operator_part')
    LOOP
        IF partition.day IS NOT NULL AND to_date(partition.day, 'YYYYMMDD') < first_kept THEN
            IF partition.name LIKE 'taifa_message_p%' THEN
                EXECUTE format('INSERT INTO taifa_queue_delta (delta) SELECT -count(*) FROM %I WHERE status = 0 HAVING count(*) > 0', partition.name);
                dropped := dropped + 1;
            END IF;
            EXECUTE format('DROP TABLE IF EXISTS %I', partition.name);
        END IF;
    END LOOP;
    RETURN dropped;
END
$$;
