-- Taifa: inbound (mobile-originated) messages, the numbers that route them to accounts, the delivery work still to
-- do, and the accounts' opt-out lists (src/Taifa.Silo/Database/Inbound/NpgsqlInboundStore.cs).

-- A number (short code or long number) an account receives on; keyword '' takes whatever no keyword of the number claims.
CREATE TABLE IF NOT EXISTS taifa_inbound_numbers
(
    number     text        NOT NULL,
    keyword    text        NOT NULL,
    account_id bigint      NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT pk_taifa_inbound_numbers PRIMARY KEY (number, keyword)
);

-- Whole messages; account_id NULL: unrouted (kept, never delivered). Listed per account, newest first.
CREATE TABLE IF NOT EXISTS taifa_inbound_messages
(
    inbound_id  bigint      NOT NULL,
    account_id  bigint      NULL,
    operator    text        NOT NULL,
    from_number text        NOT NULL,
    to_number   text        NOT NULL,
    keyword     text        NULL,
    text        text        NOT NULL,
    network_id  integer     NOT NULL,
    opt_out     boolean     NOT NULL,
    received_at timestamptz NOT NULL,
    CONSTRAINT pk_taifa_inbound_messages PRIMARY KEY (inbound_id)
);
CREATE INDEX IF NOT EXISTS ix_taifa_inbound_messages_account ON taifa_inbound_messages (account_id, inbound_id DESC);

-- Every PDU received, kept for the redelivery window (its dedupe_key), and the parts of a concatenated message
-- (group_key, part, text) until it is whole; inbound_id is the message the PDU became, NULL for a part still waiting.
CREATE TABLE IF NOT EXISTS taifa_inbound_pdus
(
    pdu_id      bigserial   NOT NULL,
    dedupe_key  text        NOT NULL,
    group_key   text        NULL,
    part        integer     NOT NULL,
    text        text        NOT NULL,
    received_at timestamptz NOT NULL,
    inbound_id  bigint      NULL,
    CONSTRAINT pk_taifa_inbound_pdus PRIMARY KEY (pdu_id)
);
CREATE INDEX IF NOT EXISTS ix_taifa_inbound_pdus_dedupe ON taifa_inbound_pdus (dedupe_key, received_at);
CREATE INDEX IF NOT EXISTS ix_taifa_inbound_pdus_waiting ON taifa_inbound_pdus (group_key) WHERE inbound_id IS NULL;
CREATE INDEX IF NOT EXISTS ix_taifa_inbound_pdus_received ON taifa_inbound_pdus (received_at);

CREATE TABLE IF NOT EXISTS taifa_inbound_webhooks
(
    account_id bigint NOT NULL,
    url        text   NOT NULL,
    CONSTRAINT pk_taifa_inbound_webhooks PRIMARY KEY (account_id)
);

-- Delivery steps not yet done (kind 1 webhook, 2 SMPP outbox, 3 opt-out), with the time each is next due; a silo
-- working on one moves next_attempt_at on by its lease, so another takes it only if that silo died.
CREATE TABLE IF NOT EXISTS taifa_inbound_work
(
    work_id         bigserial   NOT NULL,
    inbound_id      bigint      NOT NULL REFERENCES taifa_inbound_messages (inbound_id),
    account_id      bigint      NOT NULL,
    kind            smallint    NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    CONSTRAINT pk_taifa_inbound_work PRIMARY KEY (work_id)
);
CREATE INDEX IF NOT EXISTS ix_taifa_inbound_work_due ON taifa_inbound_work (next_attempt_at);

-- Source 1 inbound (STOP), 2 the customer's API.
CREATE TABLE IF NOT EXISTS taifa_optouts
(
    account_id bigint      NOT NULL,
    mobile     text        NOT NULL,
    source     smallint    NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT pk_taifa_optouts PRIMARY KEY (account_id, mobile)
);
