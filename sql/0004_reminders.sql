-- Reminders (Orleans.Reminders.AdoNet 10.4.2 contract).
-- Parameters: ServiceId, GrainId, ReminderName, StartTime, Period (ms), GrainHash, Version,
-- BeginHash, EndHash. Reads answer GrainId, ReminderName, StartTime, Period, Version.

CREATE TABLE reminders (
    serviceid    varchar(150) NOT NULL,
    grainid      varchar(150) NOT NULL,
    remindername varchar(150) NOT NULL,
    starttime    timestamptz  NOT NULL,
    period       bigint       NOT NULL,
    grainhash    integer      NOT NULL,
    version      integer      NOT NULL,
    PRIMARY KEY (serviceid, grainid, remindername)
);
CREATE INDEX reminders_by_hash ON reminders (serviceid, grainhash);

INSERT INTO orleansquery (querykey, querytext) VALUES
('UpsertReminderRowKey', $q$
    INSERT INTO reminders AS r (serviceid, grainid, remindername, starttime, period, grainhash, version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash, 0)
    ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
       SET starttime = excluded.starttime, period = excluded.period, grainhash = excluded.grainhash,
           version = grain_state_next_version(r.version)
    RETURNING version
$q$),
('ReadReminderRowsKey', $q$
    SELECT grainid, remindername, starttime, period, version
      FROM reminders WHERE serviceid = @ServiceId AND grainid = @GrainId
$q$),
('ReadReminderRowKey', $q$
    SELECT grainid, remindername, starttime, period, version
      FROM reminders WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName
$q$),
-- The ring range (BeginHash, EndHash] when it does not wrap ...
('ReadRangeRows1Key', $q$
    SELECT grainid, remindername, starttime, period, version
      FROM reminders WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash
$q$),
-- ... and when it wraps around the end of the ring.
('ReadRangeRows2Key', $q$
    SELECT grainid, remindername, starttime, period, version
      FROM reminders WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash)
$q$),
('DeleteReminderRowKey', $q$
    WITH gone AS (
        DELETE FROM reminders
         WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName AND version = @Version
        RETURNING 1)
    SELECT count(*)::integer FROM gone
$q$),
('DeleteReminderRowsKey', $q$
    DELETE FROM reminders WHERE serviceid = @ServiceId
$q$);
