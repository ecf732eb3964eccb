-- Taifa: the message ledger (src/Taifa.Grains/Ledger, src/Taifa.Silo/Database/Ledger). Messages and money in
-- tables made for them, written in batches: one transaction per account group commit, one statement per batch of
-- operator answers or receipts.
--
-- A message id carries its acceptance time (41 bits of milliseconds since 2026-01-01 UTC above 22 bits of node and
-- sequence), so a day of messages is a range of ids: taifa_message and taifa_operator_part are partitioned by
-- message_id range, one partition per UTC day, created ahead and dropped past Taifa:Ledger:RetentionDays by
-- taifa_ledger_ensure_day / taifa_ledger_drop_before (called by the silo). A look-up by message id reads one partition.

-- One row per account: the committed balance, and the version that makes each commit name the one it follows (a
-- stale activation's commit finds another version and fails). last_commit/last_refunds answer a repeated commit.
CREATE TABLE IF NOT EXISTS taifa_wallet
(
    account_id   bigint        PRIMARY KEY,
    balance      numeric(18,2) NOT NULL,
    version      bigint        NOT NULL,
    last_commit  uuid          NOT NULL,
    last_refunds bigint[]      NOT NULL DEFAULT '{}',
    updated_at   timestamptz   NOT NULL
);

-- Append-only: every change of a balance, with the balance after it. A message is debited once and refunded at most
-- once (unique per kind and message id); a credit or top-up is unique per account, kind and external reference.
CREATE TABLE IF NOT EXISTS taifa_wallet_entry
(
    entry_id      bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    bigint        NOT NULL,
    kind          text          NOT NULL CHECK (kind IN ('debit', 'refund', 'credit', 'topup')),
    amount        numeric(18,2) NOT NULL,
    balance_after numeric(18,2) NOT NULL,
    message_id    bigint        NULL,
    reference     text          NULL,
    created_at    timestamptz   NOT NULL,
    CHECK ((kind IN ('debit', 'refund')) = (message_id IS NOT NULL)),
    CHECK ((kind IN ('credit', 'topup')) = (reference IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_taifa_wallet_entry_message ON taifa_wallet_entry (message_id, kind) WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_taifa_wallet_entry_reference ON taifa_wallet_entry (account_id, kind, reference) WHERE reference IS NOT NULL;
CREATE INDEX IF NOT EXISTS ix_taifa_wallet_entry_account ON taifa_wallet_entry (account_id, entry_id);

-- status: 0 queued, 1 submitted, 2 delivered, 3 undelivered, 4 expired, 5 rejected, 6 failed (MessageStatus).
-- shard: the dispatch stream key of its operator (null: no route). A queued row is the durable queue entry.
-- refund_state: 0 none, 1 due (refund_due set with the final state), 2 applied by the account's commit.
-- follow_up_at: when the pending dlr_url callback / SMPP receipt is next tried (null: nothing pending).
CREATE TABLE IF NOT EXISTS taifa_message
(
    message_id          bigint        NOT NULL,
    recipient_id        bigint        NOT NULL,
    account_id          bigint        NOT NULL,
    shard               text          NULL,
    status              smallint      NOT NULL,
    mobile_number       text          NOT NULL,
    network_id          integer       NOT NULL,
    sender_id           text          NOT NULL,
    body                text          NOT NULL,
    encoding            smallint      NOT NULL,
    parts               integer       NOT NULL,
    cost                numeric(18,2) NOT NULL,
    balance_after       numeric(18,2) NOT NULL,
    service_id          text          NULL,
    channel             smallint      NOT NULL,
    registered_delivery boolean       NOT NULL,
    dlr_url             text          NULL,
    segment_reference   integer       NULL,
    segment_total       integer       NULL,
    segment_sequence    integer       NULL,
    accepted_at         timestamptz   NOT NULL,
    updated_at          timestamptz   NOT NULL,
    submitted_at        timestamptz   NULL,
    done_at             timestamptz   NULL,
    operator_name       text          NULL,
    operator_error_code text          NULL,
    refund_due          numeric(18,2) NOT NULL DEFAULT 0,
    refund_state        smallint      NOT NULL DEFAULT 0,
    callback_pending    boolean       NOT NULL DEFAULT false,
    receipt_pending     boolean       NOT NULL DEFAULT false,
    follow_up_attempts  integer       NOT NULL DEFAULT 0,
    follow_up_at        timestamptz   NULL,
    CONSTRAINT pk_taifa_message PRIMARY KEY (message_id)
) PARTITION BY RANGE (message_id);
CREATE INDEX IF NOT EXISTS ix_taifa_message_queued ON taifa_message (shard, message_id) WHERE status = 0;
CREATE INDEX IF NOT EXISTS ix_taifa_message_refund_due ON taifa_message (account_id, message_id) WHERE refund_state = 1;
CREATE INDEX IF NOT EXISTS ix_taifa_message_follow_up ON taifa_message (follow_up_at) WHERE follow_up_at IS NOT NULL;

-- The operator's id of each part it took, and that part's receipt: the operator-id -> message map.
CREATE TABLE IF NOT EXISTS taifa_operator_part
(
    message_id     bigint      NOT NULL,
    part           integer     NOT NULL,
    operator_name  text        NOT NULL,
    operator_id    text        NOT NULL,
    status         smallint    NULL,
    error_code     text        NULL,
    received_at    timestamptz NULL,
    CONSTRAINT pk_taifa_operator_part PRIMARY KEY (message_id, part)
) PARTITION BY RANGE (message_id);
CREATE INDEX IF NOT EXISTS ix_taifa_operator_part_operator_id ON taifa_operator_part (operator_name, operator_id);

-- The first message id of a UTC day (see LedgerDays.FirstId).
CREATE OR REPLACE FUNCTION taifa_ledger_first_id(day date) RETURNS bigint
LANGUAGE sql IMMUTABLE AS
$$ SELECT ((EXTRACT(EPOCH FROM day::timestamp) * 1000)::bigint - 1767225600000) << 22 $$;

-- Creates the day's partitions of both tables unless they exist. Concurrent silos serialise on an advisory lock.
CREATE OR REPLACE FUNCTION taifa_ledger_ensure_day(day date) RETURNS void
LANGUAGE plpgsql AS
$$
DECLARE
    suffix text := to_char(day, 'YYYYMMDD');
    low    bigint := taifa_ledger_first_id(day);
    high   bigint := taifa_ledger_first_id(day + 1);
BEGIN
    IF to_regclass('taifa_message_p' || suffix) IS NOT NULL AND to_regclass('taifa_operator_part_p' || suffix) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7461696661200);
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF taifa_message FOR VALUES FROM (%s) TO (%s) WITH (fillfactor = 80)',
                   'taifa_message_p' || suffix, low, high);
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF taifa_operator_part FOR VALUES FROM (%s) TO (%s)',
                   'taifa_operator_part_p' || suffix, low, high);
END
$$;

-- Drops whole days of messages accepted before the given day; answers how many days it dropped.
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
            EXECUTE format('DROP TABLE IF EXISTS %I', partition.name);
            IF partition.name LIKE 'taifa_message_p%' THEN dropped := dropped + 1; END IF;
        END IF;
    END LOOP;
    RETURN dropped;
END
$$;
