#!/usr/bin/env bash
# The daily database check of the runbook in one command: connections against max_connections,
# database and table sizes, tenants, candidates and jobs by status, stuck jobs, silos in the
# membership table, long-running queries, and the age of the newest backup.
#
#   scripts/db-stats.sh                                   # local stack: 127.0.0.1:55432
#   scripts/db-stats.sh --host db.internal --port 5432 --dbname actors --user actors
#
# Options as scripts/backup.sh (--host --port --dbname --user; PGPASSWORD [actors]), plus
#   --stuck-after MIN  [1, as Jobs:StuckAfter]  a processing job whose heartbeat is older than this counts as stuck
#   --dir DIR          [BACKUP_DIR or <repository>/backups] where to look for the newest backup
# Read-only. Prints WARNING lines (and exits 1) when connections exceed 80% of max_connections,
# jobs are stuck, or the newest backup is older than 26 hours.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pg_target_defaults
stuck_after=1   # minutes: Jobs:StuckAfter's default (60 s)
dir="${BACKUP_DIR:-$ROOT/backups}"
while [ $# -gt 0 ]; do
  case "$1" in
    --host|--port|--dbname|--user) pg_target_option "$1" "${2:-}"; shift 2 ;;
    --stuck-after) stuck_after="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) log "unknown argument: $1"; exit 2 ;;
  esac
done
[[ "$stuck_after" =~ ^[0-9]+$ ]] || { log "--stuck-after takes minutes"; exit 2; }
export PGPASSWORD="${PGPASSWORD:-actors}"
ensure_postgres

psql_() { "$PGBIN/psql" -h "$host" -p "$port" -U "$user" -d "$dbname" -w -X -v ON_ERROR_STOP=1 -q "$@"; }
val() { psql_ -tA -c "$1"; }
has() { [ -n "$(val "SELECT to_regclass('$1')")" ]; }
section() { printf '\n== %s\n' "$*"; }
warnings=0
warn() { printf 'WARNING: %s\n' "$*"; warnings=$((warnings + 1)); }

val "SELECT 1" >/dev/null || { log "cannot connect to $dbname on $host:$port as $user"; exit 1; }

section "Connections"
psql_ -c "SELECT coalesce(nullif(application_name, ''), '-') AS application, datname AS database, state, count(*)
            FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2, 3 ORDER BY 4 DESC"
read -r used max <<<"$(val "SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), current_setting('max_connections')" | tr '|' ' ')"
echo "in use: $used of max_connections $max ($((100 * used / max))%)"
[ $((100 * used)) -le $((80 * max)) ] || warn "connections above 80% of max_connections"

section "Database size"
val "SELECT pg_size_pretty(pg_database_size(current_database()))"

section "Largest tables (with indexes)"
psql_ -c "SELECT relname AS table, pg_size_pretty(pg_total_relation_size(relid)) AS total,
                 n_live_tup AS live_rows, n_dead_tup AS dead_rows, last_autovacuum, last_autoanalyze
            FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 12"

if has tenants; then
  section "Tenants by status"
  psql_ -c "SELECT status, count(*) FROM tenants GROUP BY status ORDER BY status"
fi
if has candidates; then
  section "Candidates by status (and provisioning)"
  psql_ -c "SELECT status, provisioning, count(*) FROM candidates GROUP BY 1, 2 ORDER BY 1, 2"
fi
if has jobs; then
  section "Jobs by status"
  psql_ -c "SELECT status, count(*), min(created_at) AS oldest FROM jobs GROUP BY status ORDER BY status"
  section "Stuck jobs (processing, heartbeat older than $stuck_after min)"
  stuck_sql="FROM jobs WHERE status = 'processing' AND coalesce(heartbeat_at, started_at) < now() - interval '$stuck_after minutes'"
  psql_ -c "SELECT id, tenant_id, type, attempts, started_at, heartbeat_at $stuck_sql ORDER BY heartbeat_at LIMIT 20"
  n="$(val "SELECT count(*) $stuck_sql")"
  [ "$n" -eq 0 ] || warn "$n stuck job(s): see docs/OPERATIONS.md, Jobs (the watchdog retries them; cancel with POST /jobs/<id>/cancel)"
  section "Failed jobs in the last 24 hours, by type and error"
  psql_ -c "SELECT type, error_code, count(*) FROM jobs WHERE status = 'failed' AND completed_at > now() - interval '24 hours'
              GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20"
fi
if has cluster_members; then
  section "Silos in the membership table (3 = Active, 6 = Dead)"
  psql_ -c "SELECT deploymentid AS cluster, siloname, address, port, status, starttime, iamalivetime
              FROM cluster_members WHERE status <> 6 OR iamalivetime > now() - interval '1 day'
              ORDER BY status, iamalivetime DESC LIMIT 20"
fi

section "Queries running longer than 1 minute"
psql_ -c "SELECT pid, coalesce(nullif(application_name, ''), '-') AS application, state, now() - query_start AS running_for,
                 left(regexp_replace(query, '\s+', ' ', 'g'), 80) AS query
            FROM pg_stat_activity WHERE state <> 'idle' AND pid <> pg_backend_pid() AND query_start < now() - interval '1 minute'
            ORDER BY query_start"

section "Newest backup in $dir"
newest="$(find "$dir" -maxdepth 1 -type f -name "actors_${dbname}_*.dump" -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -n 1 || true)"
if [ -z "$newest" ]; then
  warn "no backup found in $dir (scripts/backup.sh)"
else
  age=$(( $(date +%s) - ${newest%%.*} ))
  echo "${newest#* } ($((age / 3600)) h old)"
  [ "$age" -le $((26 * 3600)) ] || warn "the newest backup is older than 26 hours"
fi

[ "$warnings" -eq 0 ] || exit 1
