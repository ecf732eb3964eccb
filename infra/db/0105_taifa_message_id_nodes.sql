-- Taifa: leased message-id node numbers, so that message ids stay unique for the life of the database.
-- A silo claims a node no live silo holds (lease_until past), and reserves ahead the timestamps it may use
-- (reserved_until, milliseconds since the id epoch 2026-01-01); it renews both while it runs. The next holder of
-- the node starts its ids after reserved_until, so no id can repeat however many silos have started, whatever the
-- clocks say. This replaces taking taifa_node_id modulo 1024 (0100), which repeated after 1,024 starts; that
-- sequence still tells new claimants which nodes were taken most recently, so they take the others first.
CREATE TABLE IF NOT EXISTS taifa_message_id_node
(
    node_id        integer     PRIMARY KEY CHECK (node_id BETWEEN 0 AND 1023),
    holder         uuid,
    lease_until    timestamptz NOT NULL DEFAULT '-infinity',
    reserved_until bigint      NOT NULL DEFAULT -1
);

INSERT INTO taifa_message_id_node (node_id) SELECT generate_series(0, 1023) ON CONFLICT DO NOTHING;
