-- Operators' platform-wide lists (no X-Tenant-Id): newest first across every tenant, paged by key
-- like the tenant lists. A status filter reads this range and filters (statuses are few and
-- common); failed jobs have their own partial index, now with the id for the cursor.

CREATE INDEX candidates_created ON candidates (created_at, id);
CREATE INDEX jobs_created ON jobs (created_at, id);
DROP INDEX jobs_failed_recent;
CREATE INDEX jobs_failed_recent ON jobs (completed_at, id) WHERE status = 'failed';
CREATE INDEX schedules_created ON schedules (created_at, id) WHERE NOT deleted;
