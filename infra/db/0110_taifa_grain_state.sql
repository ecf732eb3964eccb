-- Taifa: grain state for the batched PostgreSQL grain storage (src/Taifa.Silo/Storage), used by the
-- high-volume storages (messages, index). Many grains' reads and writes share one round trip and one
-- commit: each statement takes arrays and unnests them.
--
-- One row per (service, grain, state name). version is the ETag: a write names the version it read and
-- gets the next one; a first write inserts version 1 and loses (ON CONFLICT DO NOTHING) if the row exists.
-- A clear keeps the row with payload NULL and the next version, so a stale activation still conflicts.
-- grain_type and grain_key are GrainId.Type and GrainId.Key as text; keys stay far below the ~2.7 kB a
-- btree entry allows (message ids, operator message ids, account ids).
-- fillfactor leaves room on each page so that status updates (Submitted, receipts) can be HOT updates.
CREATE TABLE IF NOT EXISTS taifa_grain_state
(
    service_id text        NOT NULL,
    grain_type text        NOT NULL,
    grain_key  text        NOT NULL,
    state_name text        NOT NULL,
    version    integer     NOT NULL,
    payload    bytea       NULL,
    modified   timestamptz NOT NULL,
    CONSTRAINT pk_taifa_grain_state PRIMARY KEY (service_id, grain_type, grain_key, state_name)
) WITH (fillfactor = 90);
