-- Schedules (cron): one row per schedule grain, kept by a trigger on grain_state.

CREATE TABLE schedules (
    id             uuid         PRIMARY KEY,
    tenant_id      varchar(63)  NOT NULL,
    name           text         NOT NULL,
    cron           varchar(120) NOT NULL,
    time_zone      varchar(64)  NOT NULL,
    job_type       varchar(64)  NOT NULL,
    missed_policy  varchar(16)  NOT NULL,
    overlap_policy varchar(16)  NOT NULL,
    paused         boolean      NOT NULL,
    deleted        boolean      NOT NULL,
    last_run_at    timestamptz,
    created_at     timestamptz  NOT NULL,
    updated_at     timestamptz  NOT NULL
);
CREATE INDEX schedules_tenant ON schedules (tenant_id, created_at DESC) WHERE NOT deleted;

CREATE FUNCTION project_schedule() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p jsonb := NEW.payload;
BEGIN
    IF p IS NULL OR coalesce(p->>'id', '') = '' THEN
        RETURN NULL;
    END IF;
    INSERT INTO schedules (id, tenant_id, name, cron, time_zone, job_type, missed_policy, overlap_policy, paused,
                           deleted, last_run_at, created_at, updated_at)
    VALUES ((p->>'id')::uuid, p->>'tenant_id', p->>'name', p->>'cron', p->>'time_zone', p->>'job_type',
            p->>'missed_policy', p->>'overlap_policy', coalesce((p->>'paused')::boolean, false),
            coalesce((p->>'deleted')::boolean, false), (p->>'last_run_at')::timestamptz,
            (p->>'created_at')::timestamptz, (p->>'updated_at')::timestamptz)
    ON CONFLICT (id) DO UPDATE
       SET name = EXCLUDED.name, cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone, job_type = EXCLUDED.job_type,
           missed_policy = EXCLUDED.missed_policy, overlap_policy = EXCLUDED.overlap_policy, paused = EXCLUDED.paused,
           deleted = EXCLUDED.deleted, last_run_at = EXCLUDED.last_run_at, updated_at = EXCLUDED.updated_at;
    RETURN NULL;
END $$;

CREATE TRIGGER schedules_projection AFTER INSERT OR UPDATE OF payload ON grain_state
    FOR EACH ROW WHEN (NEW.graintypestring = 'schedule') EXECUTE FUNCTION project_schedule();
