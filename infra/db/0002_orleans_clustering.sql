-- Orleans ADO.NET clustering (Microsoft.Orleans.Clustering.AdoNet 10.4.2).
-- Query keys the provider requires: GatewaysQueryKey, MembershipReadRowKey, MembershipReadAllKey,
-- InsertMembershipVersionKey, UpdateIAmAlivetimeKey, InsertMembershipKey, UpdateMembershipKey,
-- DeleteMembershipTableEntriesKey, CleanupDefunctSiloEntriesKey; optional: CleanupDefunctSiloEntryKey.
-- 10.4.2 sends no MetadataJson parameter, so there is no such column.
--
-- The version row is the membership table's optimistic-concurrency token: a silo may insert or update
-- its row only together with bumping Version from the value it last read. Both functions below lock the
-- version row first and touch nothing unless the version still matches, so no rollback trick is needed.

CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,

    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Returns 1 when the version row was created, 0 when it already existed.
CREATE FUNCTION orleans_insert_membership_version(_deployment_id text)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    _inserted integer;
BEGIN
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (_deployment_id)
    ON CONFLICT (DeploymentId) DO NOTHING;

    GET DIAGNOSTICS _inserted = ROW_COUNT;
    RETURN _inserted;
END;
$$;

-- Returns 1 when the silo row was inserted and the version bumped, 0 otherwise (nothing changed).
CREATE FUNCTION orleans_insert_membership(
    _deployment_id  text,
    _address        text,
    _port           integer,
    _generation     integer,
    _silo_name      text,
    _host_name      text,
    _status         integer,
    _proxy_port     integer,
    _start_time     timestamptz,
    _i_am_alive     timestamptz,
    _version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    _inserted integer;
BEGIN
    PERFORM 1
    FROM OrleansMembershipVersionTable
    WHERE DeploymentId = _deployment_id AND Version = _version
    FOR UPDATE;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (_deployment_id, _address, _port, _generation, _silo_name, _host_name, _status, _proxy_port, _start_time, _i_am_alive)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;

    GET DIAGNOSTICS _inserted = ROW_COUNT;
    IF _inserted = 0 THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = _deployment_id;

    RETURN 1;
END;
$$;

-- Returns 1 when the silo row was updated and the version bumped, 0 otherwise (nothing changed).
CREATE FUNCTION orleans_update_membership(
    _deployment_id  text,
    _address        text,
    _port           integer,
    _generation     integer,
    _status         integer,
    _suspect_times  text,
    _i_am_alive     timestamptz,
    _version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    _updated integer;
BEGIN
    PERFORM 1
    FROM OrleansMembershipVersionTable
    WHERE DeploymentId = _deployment_id AND Version = _version
    FOR UPDATE;

    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = _status, SuspectTimes = _suspect_times, IAmAliveTime = _i_am_alive
    WHERE DeploymentId = _deployment_id AND Address = _address AND Port = _port AND Generation = _generation;

    GET DIAGNOSTICS _updated = ROW_COUNT;
    IF _updated = 0 THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = _deployment_id;

    RETURN 1;
END;
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey',
'SELECT orleans_insert_membership_version(@DeploymentId) AS row_count;'),

('InsertMembershipKey',
'SELECT orleans_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS row_count;'),

('UpdateMembershipKey',
'SELECT orleans_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
    @IAmAliveTime, @Version) AS row_count;'),

-- The provider does not check the result of the heartbeat.
('UpdateIAmAlivetimeKey',
'UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;'),

-- The LEFT JOIN returns the version row even when the silo has no row yet: the provider takes the
-- table version from the first row.
('MembershipReadRowKey',
'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
    m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
    ON m.DeploymentId = v.DeploymentId
    AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;'),

('MembershipReadAllKey',
'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
    m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;'),

-- @Status is 3 (Active); only silos with a gateway advertise one.
('GatewaysQueryKey',
'SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;'),

('DeleteMembershipTableEntriesKey',
'DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;'),

-- Required by the provider, but unused while CleanupDefunctSiloEntryKey exists. Deletes every
-- non-Active (3) row that has not heartbeated since @IAmAliveTime.
('CleanupDefunctSiloEntriesKey',
'DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;'),

-- 10.4.2 prefers this: it deletes one Dead (6) row only if it is still exactly what the silo read,
-- so a row that changed in the meantime survives.
('CleanupDefunctSiloEntryKey',
'DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
    AND Status = 6
    AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime
    AND SuspectTimes IS NOT DISTINCT FROM @SuspectTimes;');
