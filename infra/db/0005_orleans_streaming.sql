-- Orleans ADO.NET streaming (Microsoft.Orleans.Streaming.AdoNet 10.4.2-alpha.1, pre-release).
-- Query keys: QueueStreamMessageKey, GetStreamMessagesKey, ConfirmStreamMessagesKey, FailStreamMessageKey,
-- EvictStreamMessagesKey, EvictStreamDeadLettersKey (all required at start-up).
-- Timeouts arrive as whole seconds. Messages live in OrleansStreamMessage until confirmed; a message that
-- was dequeued MaxAttempts times, or is past ExpiresOn, moves to OrleansStreamDeadLetter and is deleted
-- from there RemovalTimeout seconds later. The provider's own API has changed between alpha builds:
-- re-check every key and parameter here before moving to another Streaming.AdoNet version.

CREATE SEQUENCE OrleansStreamMessageSequence AS bigint;

CREATE TABLE OrleansStreamMessage
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    MessageId  bigint       NOT NULL,
    Dequeued   integer      NOT NULL,
    VisibleOn  timestamptz  NOT NULL,
    ExpiresOn  timestamptz  NOT NULL,
    CreatedOn  timestamptz  NOT NULL,
    ModifiedOn timestamptz  NOT NULL,
    Payload    bytea        NOT NULL,

    CONSTRAINT PK_OrleansStreamMessage PRIMARY KEY (ServiceId, ProviderId, QueueId, MessageId)
);

CREATE TABLE OrleansStreamDeadLetter
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    MessageId  bigint       NOT NULL,
    Dequeued   integer      NOT NULL,
    VisibleOn  timestamptz  NOT NULL,
    ExpiresOn  timestamptz  NOT NULL,
    CreatedOn  timestamptz  NOT NULL,
    ModifiedOn timestamptz  NOT NULL,
    DeadOn     timestamptz  NOT NULL,
    RemoveOn   timestamptz  NOT NULL,
    Payload    bytea        NULL,

    CONSTRAINT PK_OrleansStreamDeadLetter PRIMARY KEY (ServiceId, ProviderId, QueueId, MessageId)
);

-- When each queue is next due for eviction; whichever silo wins the update runs it.
CREATE TABLE OrleansStreamControl
(
    ServiceId  varchar(150) NOT NULL,
    ProviderId varchar(150) NOT NULL,
    QueueId    varchar(150) NOT NULL,
    EvictOn    timestamptz  NOT NULL,

    CONSTRAINT PK_OrleansStreamControl PRIMARY KEY (ServiceId, ProviderId, QueueId)
);

CREATE FUNCTION orleans_queue_stream_message(
    _service_id text, _provider_id text, _queue_id text, _payload bytea, _expiry_timeout integer)
RETURNS TABLE (ServiceId varchar(150), ProviderId varchar(150), QueueId varchar(150), MessageId bigint)
LANGUAGE sql
AS $$
    INSERT INTO OrleansStreamMessage AS m
        (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn, Payload)
    VALUES
        (_service_id, _provider_id, _queue_id, nextval('OrleansStreamMessageSequence'), 0,
         now(), now() + make_interval(secs => _expiry_timeout), now(), now(), _payload)
    RETURNING m.ServiceId, m.ProviderId, m.QueueId, m.MessageId;
$$;

-- Moves messages that can no longer be delivered to dead letters: out of attempts or expired, and not
-- currently held by a receiver (VisibleOn passed).
CREATE FUNCTION orleans_evict_stream_messages(
    _service_id text, _provider_id text, _queue_id text, _max_count integer, _max_attempts integer,
    _removal_timeout integer)
RETURNS void
LANGUAGE sql
AS $$
    WITH doomed AS
    (
        SELECT m.MessageId
        FROM OrleansStreamMessage m
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
            AND m.VisibleOn <= now()
            AND (m.Dequeued >= _max_attempts OR m.ExpiresOn <= now())
        ORDER BY m.MessageId
        LIMIT _max_count
        FOR UPDATE SKIP LOCKED
    ),
    moved AS
    (
        DELETE FROM OrleansStreamMessage m
        USING doomed d
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
            AND m.MessageId = d.MessageId
        RETURNING m.*
    )
    INSERT INTO OrleansStreamDeadLetter
        (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn,
         DeadOn, RemoveOn, Payload)
    SELECT ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn,
        now(), now() + make_interval(secs => _removal_timeout), Payload
    FROM moved;
$$;

CREATE FUNCTION orleans_evict_stream_dead_letters(
    _service_id text, _provider_id text, _queue_id text, _max_count integer)
RETURNS void
LANGUAGE sql
AS $$
    WITH expired AS
    (
        SELECT d.MessageId
        FROM OrleansStreamDeadLetter d
        WHERE d.ServiceId = _service_id AND d.ProviderId = _provider_id AND d.QueueId = _queue_id
            AND d.RemoveOn <= now()
        ORDER BY d.MessageId
        LIMIT _max_count
        FOR UPDATE SKIP LOCKED
    )
    DELETE FROM OrleansStreamDeadLetter d
    USING expired e
    WHERE d.ServiceId = _service_id AND d.ProviderId = _provider_id AND d.QueueId = _queue_id
        AND d.MessageId = e.MessageId;
$$;

-- Hands out the next visible messages, hiding each for _visibility_timeout seconds and counting the
-- attempt in Dequeued (the receipt the receiver later confirms with). Also runs the queue's eviction
-- when it is due, at most once per _eviction_interval across all silos.
CREATE FUNCTION orleans_get_stream_messages(
    _service_id text, _provider_id text, _queue_id text, _max_count integer, _max_attempts integer,
    _visibility_timeout integer, _removal_timeout integer, _eviction_interval integer,
    _eviction_batch_size integer)
RETURNS TABLE (ServiceId varchar(150), ProviderId varchar(150), QueueId varchar(150), MessageId bigint,
    Dequeued integer, VisibleOn timestamptz, ExpiresOn timestamptz, CreatedOn timestamptz,
    ModifiedOn timestamptz, Payload bytea)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO OrleansStreamControl (ServiceId, ProviderId, QueueId, EvictOn)
    VALUES (_service_id, _provider_id, _queue_id, now())
    ON CONFLICT (ServiceId, ProviderId, QueueId) DO NOTHING;

    UPDATE OrleansStreamControl c
    SET EvictOn = now() + make_interval(secs => _eviction_interval)
    WHERE c.ServiceId = _service_id AND c.ProviderId = _provider_id AND c.QueueId = _queue_id
        AND c.EvictOn <= now();

    IF FOUND THEN
        PERFORM orleans_evict_stream_messages(
            _service_id, _provider_id, _queue_id, _eviction_batch_size, _max_attempts, _removal_timeout);
        PERFORM orleans_evict_stream_dead_letters(_service_id, _provider_id, _queue_id, _eviction_batch_size);
    END IF;

    RETURN QUERY
    WITH batch AS
    (
        SELECT m.MessageId
        FROM OrleansStreamMessage m
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
            AND m.Dequeued < _max_attempts AND m.VisibleOn <= now() AND m.ExpiresOn > now()
        ORDER BY m.MessageId
        LIMIT _max_count
        FOR UPDATE SKIP LOCKED
    )
    UPDATE OrleansStreamMessage m
    SET Dequeued = m.Dequeued + 1,
        VisibleOn = now() + make_interval(secs => _visibility_timeout),
        ModifiedOn = now()
    FROM batch b
    WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
        AND m.MessageId = b.MessageId
    RETURNING m.ServiceId, m.ProviderId, m.QueueId, m.MessageId, m.Dequeued, m.VisibleOn, m.ExpiresOn,
        m.CreatedOn, m.ModifiedOn, m.Payload;
END;
$$;

-- _items is 'MessageId:Dequeued|MessageId:Dequeued|...'. A positive Dequeued confirms delivery (the
-- message is deleted); a negative one is the receiver giving the message back on shutdown (it becomes
-- visible again at once, the attempt still counted). Either applies only while Dequeued still matches,
-- so a receiver whose lease was taken over cannot touch the newer attempt. Returns the rows affected.
CREATE FUNCTION orleans_confirm_stream_messages(
    _service_id text, _provider_id text, _queue_id text, _items text)
RETURNS TABLE (ServiceId varchar(150), ProviderId varchar(150), QueueId varchar(150), MessageId bigint)
LANGUAGE sql
AS $$
    WITH receipts AS
    (
        SELECT split_part(item, ':', 1)::bigint AS MessageId, split_part(item, ':', 2)::integer AS Receipt
        FROM unnest(string_to_array(_items, '|')) AS item
    ),
    matched AS
    (
        SELECT m.MessageId, r.Receipt > 0 AS Confirmed
        FROM OrleansStreamMessage m
        JOIN receipts r ON r.MessageId = m.MessageId AND m.Dequeued = abs(r.Receipt)
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
        ORDER BY m.MessageId
        FOR UPDATE OF m
    ),
    confirmed AS
    (
        DELETE FROM OrleansStreamMessage m
        USING matched x
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
            AND m.MessageId = x.MessageId AND x.Confirmed
        RETURNING m.ServiceId, m.ProviderId, m.QueueId, m.MessageId
    ),
    released AS
    (
        UPDATE OrleansStreamMessage m
        SET VisibleOn = now(), ModifiedOn = now()
        FROM matched x
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
            AND m.MessageId = x.MessageId AND NOT x.Confirmed
        RETURNING m.ServiceId, m.ProviderId, m.QueueId, m.MessageId
    )
    SELECT * FROM confirmed
    UNION ALL
    SELECT * FROM released;
$$;

-- A subscriber failed on this message: retry it at once while attempts remain, else dead-letter it.
CREATE FUNCTION orleans_fail_stream_message(
    _service_id text, _provider_id text, _queue_id text, _message_id bigint, _max_attempts integer,
    _removal_timeout integer)
RETURNS void
LANGUAGE sql
AS $$
    WITH retried AS
    (
        UPDATE OrleansStreamMessage m
        SET VisibleOn = now(), ModifiedOn = now()
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
            AND m.MessageId = _message_id AND m.Dequeued < _max_attempts
        RETURNING m.MessageId
    ),
    moved AS
    (
        DELETE FROM OrleansStreamMessage m
        WHERE m.ServiceId = _service_id AND m.ProviderId = _provider_id AND m.QueueId = _queue_id
            AND m.MessageId = _message_id AND m.Dequeued >= _max_attempts
        RETURNING m.*
    )
    INSERT INTO OrleansStreamDeadLetter
        (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn,
         DeadOn, RemoveOn, Payload)
    SELECT ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn,
        now(), now() + make_interval(secs => _removal_timeout), Payload
    FROM moved;
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('QueueStreamMessageKey',
'SELECT * FROM orleans_queue_stream_message(@ServiceId, @ProviderId, @QueueId, @Payload, @ExpiryTimeout);'),

('GetStreamMessagesKey',
'SELECT * FROM orleans_get_stream_messages(@ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts,
    @VisibilityTimeout, @RemovalTimeout, @EvictionInterval, @EvictionBatchSize);'),

('ConfirmStreamMessagesKey',
'SELECT * FROM orleans_confirm_stream_messages(@ServiceId, @ProviderId, @QueueId, @Items);'),

('FailStreamMessageKey',
'SELECT orleans_fail_stream_message(@ServiceId, @ProviderId, @QueueId, @MessageId, @MaxAttempts, @RemovalTimeout);'),

-- 10.4.2-alpha.1 requires these two keys but evicts from inside GetStreamMessagesKey; they stay
-- callable (with the parameter names the provider would bind) for operators and future versions.
('EvictStreamMessagesKey',
'SELECT orleans_evict_stream_messages(@ServiceId, @ProviderId, @QueueId, @MaxCount, @MaxAttempts, @RemovalTimeout);'),

('EvictStreamDeadLettersKey',
'SELECT orleans_evict_stream_dead_letters(@ServiceId, @ProviderId, @QueueId, @MaxCount);');
