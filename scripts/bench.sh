#!/usr/bin/env bash
# The benchmark: starts its own stack (a throwaway PostgreSQL, silo(s), the API, all on loopback and
# free ports), measures reference A with pgbench, loads the API over HTTP from a separate process
# (bench/Actors.Bench) and prints one table, also written to bench/results/<UTC time>.md and
# bench/results/latest.md. Everything is stopped and deleted afterwards. About 12 minutes, then scenarios J and I.
#
# `./scripts/bench.sh jobs` runs only scenario J, the job engine beside Hangfire (H) and graphile-worker (G):
# each engine on a fresh database of the same PostgreSQL server, one after another, reported in
# bench/results/<UTC time>-jobs.md and latest-jobs.md (the full run does J last, on the same server).
# BENCH_JOBS_N (20000) and BENCH_JOBS_FLOOD (40000) size it; BENCH_JOBS_REFERENCES=0 runs Actors alone;
# BENCH_JOBS=0 leaves J out of the full run. The references are bench-only: their
# packages are restored into bench/ by scripts/bench-job-references.sh, nothing of theirs ships.
#
# `./scripts/bench.sh import` runs only scenario I, bulk CSV ingestion: a file of BENCH_IMPORT_ROWS
# (1000000) records through POST /candidates/imports on a fresh database, beside PostgreSQL's own COPY of
# the same file and the inline candidates.import jobs it replaces; reported in bench/results/<UTC time>-import.md
# and latest-import.md. The full run does I after J; BENCH_IMPORT=0 leaves it out.
#
# Knobs (environment): BENCH_SILOS (1), BENCH_WARMUP / BENCH_MEASURE seconds per scenario (2 / 6),
# BENCH_WRITE_CONCURRENCY (16: durable-write scenarios and pgbench), BENCH_HTTP_CONCURRENCY (64),
# BENCH_HOT_CLIENTS (64), BENCH_RATE_FRACTION (0.7 of each measured maximum for the fixed-rate rows),
# BENCH_OUT (bench/results) is where the report goes; BENCH_KEEP=1 keeps the temporary folder (logs, database) for inspection.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/stack.sh"

MODE="${1:-all}"
case "$MODE" in all|jobs|import) ;; *) echo "usage: $0 [jobs|import]" >&2; exit 2 ;; esac
SILOS="${BENCH_SILOS:-1}"
WARMUP="${BENCH_WARMUP:-2}"
MEASURE="${BENCH_MEASURE:-6}"
WRITE_CONCURRENCY="${BENCH_WRITE_CONCURRENCY:-16}"
HTTP_CONCURRENCY="${BENCH_HTTP_CONCURRENCY:-64}"
HOT_CLIENTS="${BENCH_HOT_CLIENTS:-64}"
RATE_FRACTION="${BENCH_RATE_FRACTION:-0.7}"
PGBENCH_ROWS=10000

TMP="$(mktemp -d /tmp/actors-bench.XXXXXX)"
chmod 755 "$TMP"
mkdir -p "$TMP/logs"
pids=(); silo_pids=()
ok=false
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_stop "$TMP/pg"
  if [ "$ok" = true ] && [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -rf "$TMP"
  else
    log "logs and database kept in $TMP"
  fi
}
trap cleanup INT TERM EXIT

PG_PORT="$(free_port)"
ensure_postgres
if [ ! -x "$PGBIN/pgbench" ]; then
  log "pgbench not found: installing Debian's postgresql-contrib package"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-contrib >/dev/null
fi
pg_start "$TMP/pg" "$PG_PORT"
export ConnectionStrings__Actors="$(connection_string "$PG_PORT")"
export DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
export Auth__SigningKeys__0="base64:$(head -c 48 /dev/urandom | base64 -w0)"
export Bootstrap__OperatorEmail="bench-operator@example.com"
export Bootstrap__OperatorPassword="$(head -c 18 /dev/urandom | base64 -w0 | tr -d '/+=')"

stack_build
BENCH_DLL="$ROOT/bench/Actors.Bench/bin/Release/net10.0/Actors.Bench.dll"
REFERENCE_DLL="$ROOT/bench/Actors.BenchReference/bin/Release/net10.0/Actors.BenchReference.dll"
PRELOAD="${BENCH_PRELOAD:-1000000}"
D_ROWS=200000

# Starts the silo(s) and the API on the database of ConnectionStrings__Actors; stop_stack stops them.
stack_pids=(); SILO_ENV=()
start_stack() {
  silo_pids=(); stack_pids=()
  export Orleans__ClusterId="bench-$(date +%s)-$$-$1"
  for i in $(seq 1 "$SILOS"); do
    silo_url="http://127.0.0.1:$(free_port)"
    launch_silo "$TMP/logs/$1-silo$i.log" "$silo_url" "$(free_port)" "$(free_port)" env "${SILO_ENV[@]}"
    pids+=("$launched_pid"); silo_pids+=("$launched_pid"); stack_pids+=("$launched_pid")
    wait_http "$silo_url/readyz" 90 || { log "silo $i not ready; see $TMP/logs"; exit 1; }
  done
  API_URL="http://127.0.0.1:$(free_port)"
  launch_api "$TMP/logs/$1-api.log" "$API_URL"
  api_pid=$launched_pid; pids+=("$api_pid"); stack_pids+=("$api_pid")
  wait_http "$API_URL/readyz" 90 || { log "the API did not become ready; see $TMP/logs"; exit 1; }
  # The API creates the operator in the background once the cluster answers, maybe after /readyz.
  sign_in "$API_URL" "$Bootstrap__OperatorEmail" "$Bootstrap__OperatorPassword" 60 >/dev/null \
    || { log "the operator cannot sign in; see $TMP/logs"; exit 1; }
  log "stack ready: $SILOS silo(s), API $API_URL, PostgreSQL 127.0.0.1:$PG_PORT"
}
stop_stack() {
  for pid in "${stack_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${stack_pids[@]}"; do stop_pid "$pid" 60; done
  stack_pids=()
}
commit="$(git -C "$ROOT" rev-parse --short HEAD)"
[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no -- src bench scripts)" ] || commit="$commit (with local changes)"
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U actors -d actors -qAt -v ON_ERROR_STOP=1)
export PGPASSWORD=actors

# Scenario J: the job engine, each on a fresh database, on a quiet server (nothing else runs).
jobs_scenario() {
  local out="$TMP/jobs"; mkdir -p "$out"
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS bench_j_actors" -c "CREATE DATABASE bench_j_actors"
  export ConnectionStrings__Actors="$(connection_string "$PG_PORT" bench_j_actors)"
  stack_migrate "$TMP/logs/jobs-migrate.log"
  # A settled server, as for the references: nothing dirty left to flush, no autovacuum still at work.
  "${PSQL[@]}" -c "CHECKPOINT"
  for _ in $(seq 1 120); do
    [ "$("${PSQL[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" = 0 ] && break; sleep 1
  done
  # As graphile-worker runs here (NO_LOG_SUCCESS=1): no line per successful job. Failures, retries and
  # stuck jobs still log (Warning); the product's default logs each job's end at Information.
  SILO_ENV=("Logging__LogLevel__Actors.Grains.Jobs.JobGrain=Warning")
  start_stack jobs
  SILO_ENV=()
  log "J: Actors"
  timeout 1200 dotnet "$BENCH_DLL" jobs --api "$API_URL" --pg "$ConnectionStrings__Actors" \
    --email "$Bootstrap__OperatorEmail" --password "$Bootstrap__OperatorPassword" \
    --api-pid "$api_pid" --silo-pids "$(IFS=,; echo "${silo_pids[*]}")" --postmaster-pid "$(head -n 1 "$TMP/pg/postmaster.pid")" \
    --n "${BENCH_JOBS_N:-20000}" --flood "${BENCH_JOBS_FLOOD:-40000}" --out "$out/Actors.json"
  stop_stack
  if [ "${BENCH_JOBS_REFERENCES:-1}" = 1 ]; then
    log "J: references H and G"
    PGBIN="$PGBIN" PG_PORT="$PG_PORT" POSTMASTER_PID="$(head -n 1 "$TMP/pg/postmaster.pid")" \
      "$ROOT/scripts/bench-job-references.sh" "$out" || log "a reference failed: its column is missing from the report"
  fi
  local results="${BENCH_OUT:-$ROOT/bench/results}" stamp; stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$results"; cp "$out"/*.json "$results/" 2>/dev/null || true
  for f in "$results"/{Actors,H,G}.json; do [ -f "$f" ] && mv "$f" "$results/$stamp-jobs-$(basename "$f")"; done
  dotnet "$BENCH_DLL" jobs-report --dir "$out" --out "$results/$stamp-jobs.md,$results/latest-jobs.md" \
    --commit "$commit" --command "./scripts/bench.sh $([ "$MODE" = jobs ] && echo jobs)" >/dev/null
  log "written $results/$stamp-jobs.md and latest-jobs.md"
}

# Scenario I: bulk CSV ingestion, on a fresh database.
import_scenario() {
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS bench_i_actors" -c "CREATE DATABASE bench_i_actors"
  export ConnectionStrings__Actors="$(connection_string "$PG_PORT" bench_i_actors)"
  stack_migrate "$TMP/logs/import-migrate.log"
  "${PSQL[@]}" -c "CHECKPOINT"
  start_stack import
  log "I: bulk CSV import"
  local results="${BENCH_OUT:-$ROOT/bench/results}" stamp; stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$results"
  timeout 1800 dotnet "$BENCH_DLL" import --api "$API_URL" --pg "$ConnectionStrings__Actors" \
    --email "$Bootstrap__OperatorEmail" --password "$Bootstrap__OperatorPassword" \
    --api-pid "$api_pid" --silo-pids "$(IFS=,; echo "${silo_pids[*]}")" --postmaster-pid "$(head -n 1 "$TMP/pg/postmaster.pid")" \
    --rows "${BENCH_IMPORT_ROWS:-1000000}" --out "$results/$stamp-import.md,$results/latest-import.md" \
    --commit "$commit" --command "./scripts/bench.sh $([ "$MODE" = import ] && echo import)"
  stop_stack
  log "written $results/$stamp-import.md and latest-import.md"
}

if [ "$MODE" = jobs ]; then
  jobs_scenario
  ok=true
  exit 0
fi
if [ "$MODE" = import ]; then
  import_scenario
  ok=true
  exit 0
fi
log "migrating"
stack_migrate "$TMP/logs/migrate.log"
start_stack main

# Reference A (run by the load generator, so its window and CPU are measured like every scenario):
# the durable-write limit of this machine, one UPDATE by primary key per transaction.
"${PSQL[@]}" -c "CREATE TABLE bench_pgbench (id int PRIMARY KEY, status text NOT NULL, version int NOT NULL, updated_at timestamptz NOT NULL);
                 INSERT INTO bench_pgbench SELECT g, 'pending', 1, now() FROM generate_series(1, $PGBENCH_ROWS) g;"
"${PSQL[@]}" -c "VACUUM ANALYZE bench_pgbench"
cat >"$TMP/update.sql" <<SQL
\set id random(1, $PGBENCH_ROWS)
UPDATE bench_pgbench SET version = version + 1, updated_at = now() WHERE id = :id;
SQL
# Reference D: the seeds' design as its own minimal ASP.NET Core app (bench/Actors.BenchReference) on
# copies of the candidates and history tables, behind the same JWT validation as the API.
"${PSQL[@]}" -c "CREATE TABLE bench_d_candidates (LIKE candidates INCLUDING ALL);
                 CREATE TABLE bench_d_history (LIKE candidate_history INCLUDING ALL);
                 INSERT INTO bench_d_candidates (id, tenant_id, company_name, contact_email, products, status, provisioning, version, created_at, updated_at, request_hash)
                 SELECT gen_random_uuid(), 'bench-d', CASE WHEN g = 1 THEN 'Hot Co' ELSE 'D Co ' || g END, 'd' || g || '@bench.example', '{hosting}', 'pending', 'not_started', 1, now(), now(), ''
                   FROM generate_series(1, $D_ROWS) g;"
"${PSQL[@]}" -c "VACUUM ANALYZE bench_d_candidates"
D_URL="http://127.0.0.1:$(free_port)"
ASPNETCORE_URLS="$D_URL" dotnet "$REFERENCE_DLL" >"$TMP/logs/reference-d.log" 2>&1 &
d_pid=$!; pids+=($d_pid)
for _ in $(seq 1 120); do curl -s -o /dev/null "$D_URL/conflicts" && break; sleep 0.5; done

log "loading the API (bench/Actors.Bench)"
timeout 900 dotnet "$BENCH_DLL" \
  --api "$API_URL" --pg "$ConnectionStrings__Actors" \
  --email "$Bootstrap__OperatorEmail" --password "$Bootstrap__OperatorPassword" \
  --warmup "$WARMUP" --measure "$MEASURE" \
  --http-concurrency "$HTTP_CONCURRENCY" --write-concurrency "$WRITE_CONCURRENCY" --hot-clients "$HOT_CLIENTS" \
  --rate-fraction "$RATE_FRACTION" --reference-d "$D_URL" --reference-d-pid "$d_pid" --preload "$PRELOAD" \
  --pgbench "$PGBIN/pgbench" --pgbench-script "$TMP/update.sql" \
  --pgbench-log "$TMP/pgbench" --pgbench-summary "$TMP/pgbench-summary.txt" \
  --api-pid "$api_pid" --silo-pids "$(IFS=,; echo "${silo_pids[*]}")" --postmaster-pid "$(head -n 1 "$TMP/pg/postmaster.pid")" \
  --out "${BENCH_OUT:-$ROOT/bench/results}" --commit "$commit" --sdk "$(dotnet --version)" --silos "$SILOS" \
  --command "./scripts/bench.sh"
# The README shows the latest table (only for the default results folder).
[ -z "${BENCH_OUT:-}" ] && "$ROOT/scripts/bench-readme.sh"
stop_stack
kill -TERM "$d_pid" 2>/dev/null || true; wait "$d_pid" 2>/dev/null || true
[ "${BENCH_JOBS:-1}" = 1 ] && jobs_scenario
[ "${BENCH_IMPORT:-1}" = 1 ] && import_scenario
ok=true
