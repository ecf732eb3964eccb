-- Orleans ADO.NET reminders (Microsoft.Orleans.Reminders.AdoNet 10.4.2).
-- Query keys: ReadReminderRowsKey, ReadRangeRows1Key, ReadRangeRows2Key, ReadReminderRowKey,
-- UpsertReminderRowKey, DeleteReminderRowKey, DeleteReminderRowsKey.
-- Period is in milliseconds; the provider binds it as int or bigint depending on size, hence the casts.
-- GrainHash is the grain's uniform hash as a signed integer; the provider picks ReadRangeRows1Key when
-- the ring range does not wrap in signed order and ReadRangeRows2Key when it does.

CREATE TABLE OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(512)   NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,

    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Silos load reminders by hash range of their share of the ring.
CREATE INDEX IX_RemindersTable_ServiceId_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- Returns the new version (the reminder's ETag).
('UpsertReminderRowKey',
'INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
SET StartTime = excluded.StartTime, Period = excluded.Period, GrainHash = excluded.GrainHash,
    Version = r.Version + 1
RETURNING r.Version;'),

('ReadReminderRowsKey',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;'),

('ReadReminderRowKey',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;'),

('ReadRangeRows1Key',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;'),

('ReadRangeRows2Key',
'SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);'),

-- Returns 1 when the row with that version was deleted, 0 when the version no longer matches.
('DeleteReminderRowKey',
'WITH deleted AS
(
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
        AND Version = @Version
    RETURNING 1
)
SELECT count(*)::integer AS row_count FROM deleted;'),

('DeleteReminderRowsKey',
'DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;');
