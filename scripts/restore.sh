#!/usr/bin/env bash
# Restores the Actors database from a backup made by scripts/backup.sh (pg_dump custom format).
#
#   scripts/restore.sh backups/actors_actors_20260101T020000Z.dump            # local stack, asks first
#   scripts/restore.sh FILE --host db.internal --port 5432 --dbname actors --user actors --yes
#
# STOP EVERY SILO AND EVERY API INSTANCE FIRST. Grains keep their state in memory: a silo that is
# still running would write its (newer) in-memory state over the restored rows on its next change,
# and its membership row would be overwritten under it. The script refuses while other sessions
# are connected to the database (the silos' and API's connection pools), unless --force.
#
# What it does: checks the file (pg_restore --list), then
#   pg_restore --clean --if-exists --no-owner --single-transaction
# into the existing database: every object in the backup is dropped and recreated with the backed-up
# rows, all in one transaction (any error: nothing changes). Objects that are not in the backup
# (e.g. a table from a newer migration) are left as they are. Then ANALYZE, and row counts of
# tenants, users, candidates, jobs, schedules and grain_state.
#
# Options (defaults in brackets, as for scripts/backup.sh):
#   --host H [PGHOST or 127.0.0.1]   --port P [PGPORT or ACTORS_PG_PORT or 55432]
#   --dbname D [PGDATABASE or actors]   --user U [PGUSER or actors]   password: PGPASSWORD [actors]
#   --yes               do not ask for confirmation (scripts, cron)
#   --force             restore even while other sessions are connected (you stopped the silos, and
#                       what is connected is e.g. a psql of yours)
#   --reset-membership  afterwards mark every restored silo row in cluster_members Dead (status 6),
#                       so the first silos started do not spend time probing silos of the backup's time
#
# After it: start the silos (they re-read membership, reminders and grain state from the database),
# then the API; check /readyz and /health/detailed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

pg_target_defaults
file="" yes=false force=false reset_membership=false
while [ $# -gt 0 ]; do
  case "$1" in
    --host|--port|--dbname|--user) pg_target_option "$1" "${2:-}"; shift 2 ;;
    --yes|-y) yes=true; shift ;;
    --force) force=true; shift ;;
    --reset-membership) reset_membership=true; shift ;;
    -h|--help) usage 0 ;;
    -*) log "unknown argument: $1"; usage 2 >&2 ;;
    *) [ -z "$file" ] || { log "one backup file only"; exit 2; }; file="$1"; shift ;;
  esac
done
[ -n "$file" ] || { log "which backup? scripts/restore.sh FILE (see --help)"; exit 2; }
[ -r "$file" ] || { log "cannot read $file"; exit 2; }
export PGPASSWORD="${PGPASSWORD:-actors}"
ensure_postgres   # sets PGBIN: the same client tools as the local server (15 from Debian)

psql_q() { "$PGBIN/psql" -h "$host" -p "$port" -U "$user" -d "$dbname" -w -X -v ON_ERROR_STOP=1 -qtA "$@"; }

entries="$("$PGBIN/pg_restore" --list "$file")" || { log "$file is not a readable pg_dump archive"; exit 1; }
log "backup $file: $(grep -c ' TABLE DATA ' <<<"$entries" || true) tables, $(sed -n 's/^; Archive created at //p' <<<"$entries")"

psql_q -c "SELECT 1" >/dev/null || { log "cannot connect to $dbname on $host:$port as $user (does the database exist?)"; exit 1; }

others="$(psql_q -F ' ' -c "SELECT pid, coalesce(nullif(application_name, ''), '-'), coalesce(client_addr::text, 'local'), state
  FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'")"
if [ -n "$others" ]; then
  log "other sessions are connected to $dbname (pid application client state):"
  sed 's/^/    /' <<<"$others" >&2
  if [ "$force" != true ]; then
    log "stop the silos and the API first (or pass --force if these are not Actors processes)"
    exit 1
  fi
  log "--force: restoring anyway"
fi

if [ "$yes" != true ]; then
  if [ ! -t 0 ]; then log "not a terminal: pass --yes to restore without asking"; exit 2; fi
  read -r -p "Replace the contents of database '$dbname' on $host:$port with $file? [y/N] " answer
  [[ "$answer" =~ ^[Yy] ]] || { log "cancelled"; exit 1; }
fi

log "restoring into $dbname on $host:$port"
started=$SECONDS
"$PGBIN/pg_restore" -h "$host" -p "$port" -U "$user" -d "$dbname" -w \
  --clean --if-exists --no-owner --single-transaction "$file"
psql_q -c "ANALYZE" >/dev/null
log "restored in $((SECONDS - started)) s"

if [ "$reset_membership" = true ] && [ -n "$(psql_q -c "SELECT to_regclass('cluster_members')")" ]; then
  n="$(psql_q -c "WITH d AS (UPDATE cluster_members SET status = 6 WHERE status <> 6 RETURNING 1) SELECT count(*) FROM d")"
  log "membership: marked $n restored silo row(s) Dead"
fi

log "row counts after restore:"
for t in tenants users candidates jobs schedules grain_state; do
  if [ -n "$(psql_q -c "SELECT to_regclass('$t')")" ]; then
    printf '  %-12s %s\n' "$t" "$(psql_q -c "SELECT count(*) FROM $t")"
  else
    printf '  %-12s %s\n' "$t" "(no such table)"
  fi
done
