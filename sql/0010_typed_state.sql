-- Domain state written once, in typed tables (docs/decisions/0001-typed-state-tables.md).
--
-- Until now candidates, jobs, schedules, tenants and users were stored as JSON in grain_state and
-- copied by triggers into their tables: three row writes and ~9 index updates per change. From here
-- the project's grain storage (src/Grains/Storage) reads and writes these tables directly: one row
-- per grain, `version` as the ETag (UPDATE ... WHERE id = $1 AND version = $2), history rows and
-- counters in the same statement. This migration upgrades a database in place:
--   1. adds the columns the JSON state held and the tables did not;
--   2. fills them from the JSON state rows (the triggers already kept the rest);
--   3. drops the projection triggers and the JSON rows of these five types;
--   4. adds `counters` (per tenant, kind and key, striped) and fills it from the tables;
--   5. replaces the list indexes by keyset ones (sort key and id in one direction).
-- Stop every silo before applying it: a silo of the previous release would keep writing JSON rows.

-- 1. Columns -------------------------------------------------------------------------------------

ALTER TABLE candidates
    ADD COLUMN rejection_reason   text,
    ADD COLUMN provisioning_error text,
    ADD COLUMN request_hash       varchar(300) NOT NULL DEFAULT '',
    ADD COLUMN decision_key       varchar(255),
    ADD COLUMN history_count      integer     NOT NULL DEFAULT 0;

ALTER TABLE jobs
    ADD COLUMN parameters       text        NOT NULL DEFAULT '{}',
    ADD COLUMN result           text,
    ADD COLUMN cancel_requested boolean     NOT NULL DEFAULT false,
    ADD COLUMN request_hash     varchar(300) NOT NULL DEFAULT '',
    ADD COLUMN created_by       varchar(254) NOT NULL DEFAULT '',
    ADD COLUMN version          bigint      NOT NULL DEFAULT 1;

ALTER TABLE schedules
    ADD COLUMN parameters   text         NOT NULL DEFAULT '{}',
    ADD COLUMN max_catch_up integer      NOT NULL DEFAULT 10,
    ADD COLUMN last_job_id  uuid,
    ADD COLUMN created_by   varchar(254) NOT NULL DEFAULT '',
    ADD COLUMN version      bigint       NOT NULL DEFAULT 1;

ALTER TABLE tenants
    ADD COLUMN status_changed_by varchar(254),
    ADD COLUMN smtp_password     text,          -- kept out of `settings`, which operators read
    ADD COLUMN version           bigint NOT NULL DEFAULT 1;

ALTER TABLE users
    ADD COLUMN password_hash text        NOT NULL DEFAULT '',
    ADD COLUMN token_version integer     NOT NULL DEFAULT 1,
    ADD COLUMN failed_logins integer     NOT NULL DEFAULT 0,
    ADD COLUMN locked_until  timestamptz,
    ADD COLUMN version       bigint      NOT NULL DEFAULT 1;

-- 2. Fill from the JSON state ---------------------------------------------------------------------

UPDATE candidates c
   SET rejection_reason   = g.payload->>'rejection_reason',
       provisioning_error = g.payload->>'provisioning_error',
       request_hash       = coalesce(g.payload->>'request_hash', ''),
       decision_key       = g.payload->>'decision_key',
       history_count      = (SELECT coalesce(max(h.seq) + 1, 0) FROM candidate_history h WHERE h.candidate_id = c.id)
  FROM grain_state g
 WHERE g.graintypestring = 'candidate' AND g.payload IS NOT NULL AND coalesce(g.payload->>'id', '') <> ''
   AND (g.payload->>'id')::uuid = c.id;

UPDATE jobs j
   SET parameters       = coalesce(g.payload->>'parameters', '{}'),
       result           = g.payload->>'result',
       cancel_requested = coalesce((g.payload->>'cancel_requested')::boolean, false),
       request_hash     = coalesce(g.payload->>'request_hash', ''),
       created_by       = coalesce(g.payload->>'created_by', ''),
       version          = g.version
  FROM grain_state g
 WHERE g.graintypestring = 'job' AND g.payload IS NOT NULL AND coalesce(g.payload->>'id', '') <> ''
   AND (g.payload->>'id')::uuid = j.id;

UPDATE schedules s
   SET parameters   = coalesce(g.payload->>'parameters', '{}'),
       max_catch_up = coalesce((g.payload->>'max_catch_up')::integer, 10),
       last_job_id  = (g.payload->>'last_job_id')::uuid,
       created_by   = coalesce(g.payload->>'created_by', ''),
       version      = g.version
  FROM grain_state g
 WHERE g.graintypestring = 'schedule' AND g.payload IS NOT NULL AND coalesce(g.payload->>'id', '') <> ''
   AND (g.payload->>'id')::uuid = s.id;

UPDATE tenants t
   SET status_changed_by = g.payload->>'status_changed_by',
       smtp_password     = g.payload->'settings'->'smtp'->>'password',
       version           = coalesce((g.payload->>'version')::bigint, 1)
  FROM grain_state g
 WHERE g.graintypestring = 'tenant' AND g.payload IS NOT NULL AND g.payload->>'slug' = t.id;

UPDATE users u
   SET password_hash = coalesce(g.payload->>'password_hash', ''),
       token_version = coalesce((g.payload->>'token_version')::integer, 1),
       failed_logins = coalesce((g.payload->>'failed_logins')::integer, 0),
       locked_until  = (g.payload->>'locked_until')::timestamptz,
       version       = g.version
  FROM grain_state g
 WHERE g.graintypestring = 'user' AND g.payload IS NOT NULL AND g.payload->>'email' = u.email;

-- 3. No more JSON copies of these types -----------------------------------------------------------

DROP TRIGGER tenants_projection ON grain_state;
DROP TRIGGER users_projection ON grain_state;
DROP TRIGGER jobs_projection ON grain_state;
DROP TRIGGER jobs_unprojection ON grain_state;
DROP TRIGGER candidates_projection ON grain_state;
DROP TRIGGER candidates_history ON grain_state;
DROP TRIGGER schedules_projection ON grain_state;
DROP FUNCTION project_tenant(), project_user(), project_job(), unproject_job(), project_candidate(),
              project_candidate_history(), project_schedule();
DELETE FROM grain_state WHERE graintypestring IN ('candidate', 'job', 'schedule', 'tenant', 'user');

ALTER TABLE candidates ALTER COLUMN request_hash DROP DEFAULT;

-- 4. Counters ---------------------------------------------------------------------------------------
-- One row per (tenant, kind, key, stripe); a value is the sum over its stripes. Every write adds its
-- deltas to one stripe it picks at random, so writers of one tenant rarely wait for the same row.
-- tenant_id '' holds platform-wide kinds (tenants by status, operators).
--   candidate.status       pending | approved | rejected
--   candidate.provisioning not_started | pending | provisioned | failed
--   job.status             queued | processing | completed | failed | cancelled
--   schedule               active            (not deleted)
--   user                   active            (not deleted)
--   tenant.status          active | suspended

CREATE TABLE counters (
    tenant_id varchar(63) NOT NULL,
    kind      varchar(32) NOT NULL,
    key       varchar(32) NOT NULL,
    stripe    smallint    NOT NULL,
    n         bigint      NOT NULL,
    PRIMARY KEY (tenant_id, kind, key, stripe)
);
CREATE INDEX counters_kind ON counters (kind, key);

INSERT INTO counters (tenant_id, kind, key, stripe, n)
SELECT tenant_id, 'candidate.status', status, 0, count(*) FROM candidates GROUP BY tenant_id, status
UNION ALL
SELECT tenant_id, 'candidate.provisioning', provisioning, 0, count(*) FROM candidates GROUP BY tenant_id, provisioning
UNION ALL
SELECT tenant_id, 'job.status', status, 0, count(*) FROM jobs GROUP BY tenant_id, status
UNION ALL
SELECT tenant_id, 'schedule', 'active', 0, count(*) FROM schedules WHERE NOT deleted GROUP BY tenant_id
UNION ALL
SELECT coalesce(tenant_id, ''), 'user', 'active', 0, count(*) FROM users WHERE NOT deleted GROUP BY coalesce(tenant_id, '')
UNION ALL
SELECT '', 'tenant.status', status, 0, count(*) FROM tenants GROUP BY status;

-- 5. Keyset indexes ---------------------------------------------------------------------------------
-- A list reads (sort key, id) < (cursor) in one index range; both columns go the same way so one
-- backward scan serves "newest first". Indexes nobody lists by are gone: each one made every
-- non-HOT update (a status change) write one more index entry.

DROP INDEX candidates_tenant_created, candidates_tenant_status, candidates_status, candidates_created,
           candidates_products;
CREATE INDEX candidates_tenant_created ON candidates (tenant_id, created_at, id);
CREATE INDEX candidates_tenant_status ON candidates (tenant_id, status, created_at, id);

DROP INDEX jobs_tenant_status, jobs_tenant_created, jobs_status_heartbeat, jobs_completed;
CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at, id);
CREATE INDEX jobs_tenant_status ON jobs (tenant_id, status, created_at, id);
CREATE INDEX jobs_failed ON jobs (tenant_id, completed_at, id) WHERE status = 'failed';
CREATE INDEX jobs_failed_recent ON jobs (completed_at) WHERE status = 'failed';
CREATE INDEX jobs_processing ON jobs (heartbeat_at) WHERE status = 'processing';
CREATE INDEX jobs_queued ON jobs (created_at) WHERE status = 'queued';
CREATE INDEX jobs_finished ON jobs (completed_at) WHERE status IN ('completed', 'failed', 'cancelled');

DROP INDEX schedules_tenant;
CREATE INDEX schedules_tenant ON schedules (tenant_id, created_at, id) WHERE NOT deleted;

DROP INDEX users_tenant;
CREATE INDEX users_tenant ON users (tenant_id, email) WHERE NOT deleted;
CREATE INDEX tenants_created ON tenants (created_at, id);
