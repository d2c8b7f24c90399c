#!/usr/bin/env bash
# Backs up the Actors database: pg_dump custom format (-Fc, compressed), one file per run named
# with the UTC time, checked with pg_restore --list, old files pruned. Prints the new file's path.
#
#   scripts/backup.sh                                  # local stack (scripts/run-local.sh): 127.0.0.1:55432
#   scripts/backup.sh --host db.internal --port 5432 --dbname actors --user actors --dir /backups/actors
#   BACKUP_KEEP=30 BACKUP_RETENTION_DAYS=14 scripts/backup.sh
#
# Options (defaults in brackets; each also read from the environment variable named):
#   --host H            [PGHOST or 127.0.0.1]
#   --port P            [PGPORT or ACTORS_PG_PORT or 55432]
#   --dbname D          [PGDATABASE or actors]
#   --user U            [PGUSER or actors]          password: PGPASSWORD [actors] or ~/.pgpass
#   --dir DIR           [BACKUP_DIR or <repository>/backups]   created if missing
#   --keep N            [BACKUP_KEEP or 14]         keep the newest N backups of this database (0: no limit)
#   --retention-days D  [BACKUP_RETENTION_DAYS or 30]  delete backups older than D days (0: never)
#   --compress Z        [BACKUP_COMPRESS or 6]      pg_dump -Z level, 0-9
# Check: pg_restore --list, then a full read of the archive (BACKUP_VERIFY=list: the list only).
# Pruning only touches files named actors_<dbname>_<UTC time>.dump in DIR, never the newest one.
#
# The dump is taken in one snapshot (consistent), without stopping silos or the API: grain state,
# membership, reminders and the domain tables come from the same moment. Restore: scripts/restore.sh.
#
# Daily at 02:00 (cron; logs to stderr, the path to stdout):
#   0 2 * * * cd /opt/actors && scripts/backup.sh --dir /var/backups/actors >>/var/log/actors-backup.log 2>&1
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

pg_target_defaults
dir="${BACKUP_DIR:-$ROOT/backups}"
keep="${BACKUP_KEEP:-14}"
days="${BACKUP_RETENTION_DAYS:-30}"
compress="${BACKUP_COMPRESS:-6}"
while [ $# -gt 0 ]; do
  case "$1" in
    --host|--port|--dbname|--user) pg_target_option "$1" "${2:-}"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --retention-days) days="$2"; shift 2 ;;
    --compress) compress="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) log "unknown argument: $1"; usage 2 >&2 ;;
  esac
done
for n in "$keep" "$days" "$compress"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { log "--keep, --retention-days and --compress take a number, not '$n'"; exit 2; }
done
export PGPASSWORD="${PGPASSWORD:-actors}"
ensure_postgres   # sets PGBIN: the same client tools as the local server (15 from Debian)

if [ ! -d "$dir" ]; then
  mkdir -p "$dir"
  # A backups folder inside the repository is not source: keep it out of git.
  case "$(cd "$dir" && pwd)/" in "$ROOT"/*) printf '*\n' >"$dir/.gitignore" ;; esac
fi
chmod 700 "$dir" 2>/dev/null || true

# One backup at a time per folder (cron overlapping a manual run).
exec 9>"$dir/.backup.lock"
flock -n 9 || { log "another backup is running in $dir"; exit 1; }

file="$dir/actors_${dbname}_$(date -u +%Y%m%dT%H%M%SZ).dump"
while [ -e "$file" ]; do sleep 1; file="$dir/actors_${dbname}_$(date -u +%Y%m%dT%H%M%SZ).dump"; done
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

log "backing up $dbname on $host:$port as $user"
started=$SECONDS
"$PGBIN/pg_dump" -h "$host" -p "$port" -U "$user" -d "$dbname" -w \
  --format=custom --compress="$compress" --file="$partial"

# The file must read back as an archive with the tables in it.
if ! entries="$("$PGBIN/pg_restore" --list "$partial")"; then
  log "the dump does not read back (pg_restore --list failed): kept nothing"
  exit 1
fi
tables="$(grep -c ' TABLE DATA ' <<<"$entries" || true)"
# And every data block must decompress (reads the whole file once; BACKUP_VERIFY=list skips this).
if [ "${BACKUP_VERIFY:-full}" != list ] && ! "$PGBIN/pg_restore" --file=/dev/null "$partial"; then
  log "the dump's data does not read back: kept nothing"
  exit 1
fi
if [ "$tables" -eq 0 ]; then
  log "the dump holds no table data: is '$dbname' the Actors database?"
fi
chmod 600 "$partial"
mv "$partial" "$file"
log "wrote $file ($(du -h "$file" | cut -f1), $tables tables, $((SECONDS - started)) s)"

# Retention: newest first; never the file just written.
mapfile -t backups < <(find "$dir" -maxdepth 1 -type f -name "actors_${dbname}_*.dump" -printf '%f\n' | sort -r)
removed=0
for i in "${!backups[@]}"; do
  f="$dir/${backups[$i]}"
  [ "$f" = "$file" ] && continue
  if [ "$keep" -gt 0 ] && [ "$i" -ge "$keep" ]; then
    rm -f "$f"; removed=$((removed + 1)); continue
  fi
  if [ "$days" -gt 0 ] && [ -n "$(find "$f" -mtime +"$((days - 1))" -print)" ]; then
    rm -f "$f"; removed=$((removed + 1))
  fi
done
[ "$removed" -eq 0 ] || log "retention (keep $keep, $days days): removed $removed old backup(s)"

echo "$file"
