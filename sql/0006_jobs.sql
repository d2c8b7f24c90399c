-- Background jobs: one row per job grain, kept by a trigger on grain_state in the same transaction
-- as the job's state. The dispatcher counts and orders jobs from here; operators query it.

CREATE TABLE jobs (
    id              uuid         PRIMARY KEY,
    tenant_id       varchar(63)  NOT NULL,
    type            varchar(64)  NOT NULL,
    status          varchar(16)  NOT NULL,
    attempts        integer      NOT NULL,
    max_attempts    integer      NOT NULL,
    processed       bigint       NOT NULL DEFAULT 0,
    total           bigint,
    error_code      varchar(64),
    error_message   text,
    schedule_id     uuid,
    next_attempt_at timestamptz,
    created_at      timestamptz  NOT NULL,
    started_at      timestamptz,
    heartbeat_at    timestamptz,
    completed_at    timestamptz
);
CREATE INDEX jobs_tenant_status ON jobs (tenant_id, status, created_at);
CREATE INDEX jobs_status_heartbeat ON jobs (status, heartbeat_at);
CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at DESC);
CREATE INDEX jobs_completed ON jobs (completed_at) WHERE completed_at IS NOT NULL;

CREATE FUNCTION project_job() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p jsonb := NEW.payload;
BEGIN
    IF p IS NULL OR coalesce(p->>'id', '') = '' THEN
        RETURN NULL;
    END IF;
    INSERT INTO jobs (id, tenant_id, type, status, attempts, max_attempts, processed, total, error_code,
                      error_message, schedule_id, next_attempt_at, created_at, started_at, heartbeat_at, completed_at)
    VALUES ((p->>'id')::uuid, p->>'tenant_id', p->>'type', p->>'status', (p->>'attempts')::int,
            (p->>'max_attempts')::int, coalesce((p->>'processed')::bigint, 0), (p->>'total')::bigint,
            p->>'error_code', p->>'error_message', (p->>'schedule_id')::uuid, (p->>'next_attempt_at')::timestamptz,
            (p->>'created_at')::timestamptz, (p->>'started_at')::timestamptz, (p->>'heartbeat_at')::timestamptz,
            (p->>'completed_at')::timestamptz)
    ON CONFLICT (id) DO UPDATE
       SET status = EXCLUDED.status, attempts = EXCLUDED.attempts, max_attempts = EXCLUDED.max_attempts,
           processed = EXCLUDED.processed, total = EXCLUDED.total, error_code = EXCLUDED.error_code,
           error_message = EXCLUDED.error_message, next_attempt_at = EXCLUDED.next_attempt_at,
           started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at,
           completed_at = EXCLUDED.completed_at;
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_projection AFTER INSERT OR UPDATE OF payload ON grain_state
    FOR EACH ROW WHEN (NEW.graintypestring = 'job') EXECUTE FUNCTION project_job();

-- Retention deletes a finished job's grain state; its row goes with it.
CREATE FUNCTION unproject_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM jobs WHERE id = (OLD.payload->>'id')::uuid;
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_unprojection AFTER DELETE ON grain_state
    FOR EACH ROW WHEN (OLD.graintypestring = 'job' AND OLD.payload IS NOT NULL) EXECUTE FUNCTION unproject_job();
