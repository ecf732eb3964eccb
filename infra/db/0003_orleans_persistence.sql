-- Orleans ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet 10.4.2).
-- Query keys: WriteToStorageKey, ReadFromStorageKey, ClearStorageKey; optional DeleteStorageKey
-- (needed only for AdoNetGrainStorageOptions.DeleteStateOnClear = true).
-- 10.4.2 stores the serialized state in PayloadBinary only (no JSON/XML payload parameters).
-- The ETag is Version: every write must name the version it read, and gets the next one back.
-- A write whose version no longer matches returns the old version, which the provider turns into
-- an InconsistentStateException.

CREATE TABLE OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL,
    Version                integer      NOT NULL
);

-- One row per grain state. NULLS NOT DISTINCT (PostgreSQL 15+) makes grains without a key extension
-- unique too, so two activations racing to create the same state (split brain) cannot both insert.
-- The hashes lead so that look-ups, which always bind them, stay cheap.
CREATE UNIQUE INDEX UX_OrleansStorage_Grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, ServiceId, GrainIdExtensionString)
    NULLS NOT DISTINCT;

-- Returns the new version, or _version unchanged when the write lost a race (no row touched).
CREATE FUNCTION orleans_write_grain_state(
    _grain_id_hash     integer,
    _grain_id_n0       bigint,
    _grain_id_n1       bigint,
    _grain_type_hash   integer,
    _grain_type        text,
    _grain_id_ext      text,
    _service_id        text,
    _version           integer,
    _payload           bytea)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    _new_version integer;
BEGIN
    IF _version IS NULL THEN
        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
             ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES
            (_grain_id_hash, _grain_id_n0, _grain_id_n1, _grain_type_hash, _grain_type, _grain_id_ext,
             _service_id, _payload, now(), 1)
        ON CONFLICT DO NOTHING
        RETURNING Version INTO _new_version;
    ELSE
        UPDATE OrleansStorage
        SET PayloadBinary = _payload, ModifiedOn = now(), Version = Version + 1
        WHERE GrainIdHash = _grain_id_hash AND GrainTypeHash = _grain_type_hash
            AND GrainIdN0 = _grain_id_n0 AND GrainIdN1 = _grain_id_n1
            AND GrainTypeString = _grain_type AND ServiceId = _service_id
            AND GrainIdExtensionString IS NOT DISTINCT FROM _grain_id_ext
            AND Version = _version
        RETURNING Version INTO _new_version;
    END IF;

    RETURN COALESCE(_new_version, _version);
END;
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey',
'SELECT orleans_write_grain_state(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
    @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion;'),

-- A NULL payload means "cleared": the provider then reports RecordExists = false but keeps the version.
('ReadFromStorageKey',
'SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString AND ServiceId = @ServiceId
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString;'),

-- Keeps the row (and so the version sequence); returns no row when the version does not match.
('ClearStorageKey',
'UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString AND ServiceId = @ServiceId
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
    AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;'),

-- Removes the row; the provider only needs a value different from the version it held.
('DeleteStorageKey',
'DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString AND ServiceId = @ServiceId
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
    AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;');
