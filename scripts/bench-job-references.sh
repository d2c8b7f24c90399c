#!/usr/bin/env bash
# Scenario J's job-engine references on a running PostgreSQL server, each on a fresh database:
#   H  Hangfire 1.8.25 + Hangfire.PostgreSql 1.21.1 (bench/Actors.BenchHangfire, in-process server)
#   G  graphile-worker 0.17.3 on Node 20 (bench/graphile/run.mjs)
# Each runner does a burn-down (N no-op jobs submitted while draining; jobs/s, commits per job, CPU per
# 1,000 jobs), a latency probe (single submits 50 ms apart on the idle engine) and a fairness probe
# (a bulk flood with 100 marked jobs submitted one by one), and writes <out-dir>/H.json and G.json.
#
# usage: scripts/bench-job-references.sh <out-dir>
# environment:
#   PGBIN           PostgreSQL binaries (psql), e.g. /usr/lib/postgresql/15/bin
#   PG_PORT         the server on 127.0.0.1; superuser 'actors', password 'actors'
#   POSTMASTER_PID  the server's postmaster (its process tree's CPU is measured)
#   BENCH_JOBS_N (20000), BENCH_JOBS_FLOOD (40000), BENCH_JOBS_FAIR (100), BENCH_JOBS_LATENCY (200)
#   BENCH_JOBS_ENGINES ("H G"), BENCH_JOBS_TIMEOUT (seconds per runner, 1800),
#   BENCH_JOBS_KEEP_DB (0: each engine's database is dropped once its JSON is written)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -ne 1 ]; then
  echo "usage: $0 <out-dir>   (env: PGBIN, PG_PORT, POSTMASTER_PID; BENCH_JOBS_N, BENCH_JOBS_FLOOD)" >&2
  exit 2
fi
OUT="$1"
: "${PGBIN:?PGBIN must name the PostgreSQL binaries directory}"
: "${PG_PORT:?PG_PORT must name the port of a running server on 127.0.0.1}"
: "${POSTMASTER_PID:?POSTMASTER_PID must name the server postmaster pid}"
N="${BENCH_JOBS_N:-20000}"
FLOOD="${BENCH_JOBS_FLOOD:-40000}"
FAIR="${BENCH_JOBS_FAIR:-100}"
LATENCY="${BENCH_JOBS_LATENCY:-200}"
ENGINES="${BENCH_JOBS_ENGINES:-H G}"
RUN_TIMEOUT="${BENCH_JOBS_TIMEOUT:-1800}"
KEEP_DB="${BENCH_JOBS_KEEP_DB:-0}"

[ -r "/proc/$POSTMASTER_PID/stat" ] || { log "bench-job-references: POSTMASTER_PID $POSTMASTER_PID is not a running process"; exit 1; }
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
LOGS="$(mktemp -d /tmp/bench-job-references.XXXXXX)"
export PGPASSWORD=actors

HF_PROJ="$ROOT/bench/Actors.BenchHangfire/Actors.BenchHangfire.csproj"
HF_DLL="$ROOT/bench/Actors.BenchHangfire/bin/Release/net10.0/Actors.BenchHangfire.dll"
GR_DIR="$ROOT/bench/graphile"

fail_with_log() { # message logfile
  log "bench-job-references: $1 (log: $2)"
  tail -n 40 "$2" >&2 || true
  exit 1
}

# (a) Build the runners, quietly.
for e in $ENGINES; do
  case "$e" in
    H)
      log "building bench/Actors.BenchHangfire"
      dotnet build -c Release -nologo -v q "$HF_PROJ" >"$LOGS/build-H.log" 2>&1 || fail_with_log "dotnet build failed" "$LOGS/build-H.log"
      ;;
    G)
      command -v node >/dev/null || { log "bench-job-references: node is not installed"; exit 1; }
      log "installing bench/graphile (node $(node --version))"
      if [ -f "$GR_DIR/package-lock.json" ]; then
        (cd "$GR_DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$LOGS/npm-G.log" 2>&1 || fail_with_log "npm ci failed" "$LOGS/npm-G.log"
      else
        (cd "$GR_DIR" && npm install --no-audit --no-fund --loglevel=error) >"$LOGS/npm-G.log" 2>&1 || fail_with_log "npm install failed" "$LOGS/npm-G.log"
      fi
      ;;
    *) log "bench-job-references: unknown engine '$e' (expected H or G)"; exit 2 ;;
  esac
done

psql_admin() { PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U actors -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

# A fresh database on a settled server: no dirty buffers left by whatever ran before (a checkpoint
# during a window costs that window), no autovacuum worker still busy with it (its CPU would be
# counted as the next engine's PostgreSQL CPU); waits at most 120 s for autovacuum.
fresh_db() { # name
  psql_admin -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
  psql_admin -c "CHECKPOINT" >/dev/null
  local deadline=$((SECONDS + 120))
  while [ "$(psql_admin -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" != 0 ]; do
    [ $SECONDS -ge $deadline ] && { log "bench-job-references: autovacuum still running after 120 s; going on"; break; }
    sleep 1
  done
}

drop_db() { # name
  [ "$KEEP_DB" = 1 ] || psql_admin -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
}

summary() { # json-file
  node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const f = j.fairness || {}, l = j.latency_ms || {}, b = j.burndown || {}, c = j.cpu_s_per_1000 || {};
    console.error(`[actors] J ${j.engine} ${j.name}: ${b.jobs_per_s} jobs/s (n ${j.n}, ${b.seconds} s, submit ${b.submit_seconds} s), ` +
      `${j.commits_per_job} commits/job, CPU ${c.total} s/1000 (engine ${c.engine}, postgres ${c.postgres}); ` +
      `latency p50 ${l.p50} / p99 ${l.p99} ms; fairness Y p50 ${f.y_p50_ms} / p99 ${f.y_p99_ms} ms, X drained in ${f.x_drain_seconds} s`);
  ' "$1"
}

# (b) One fresh database per engine, one runner each.
for e in $ENGINES; do
  case "$e" in
    H)
      db=bench_j_h
      fresh_db "$db"
      log "reference H (Hangfire): n $N, flood $FLOOD, on database $db"
      timeout "$RUN_TIMEOUT" dotnet "$HF_DLL" --pg "$(connection_string "$PG_PORT" "$db")" --postmaster-pid "$POSTMASTER_PID" \
        --n "$N" --flood "$FLOOD" --fair "$FAIR" --latency "$LATENCY" --out "$OUT/H.json" >"$LOGS/H.log" 2>&1 \
        || fail_with_log "reference H failed" "$LOGS/H.log"
      ;;
    G)
      db=bench_j_g
      fresh_db "$db"
      log "reference G (graphile-worker): n $N, flood $FLOOD, on database $db"
      timeout "$RUN_TIMEOUT" node "$GR_DIR/run.mjs" --pg "postgres://actors:actors@127.0.0.1:$PG_PORT/$db" --postmaster-pid "$POSTMASTER_PID" \
        --n "$N" --flood "$FLOOD" --fair "$FAIR" --latency "$LATENCY" --out "$OUT/G.json" >"$LOGS/G.log" 2>&1 \
        || fail_with_log "reference G failed" "$LOGS/G.log"
      ;;
  esac
  drop_db "$db"
  # (c) One line per engine.
  summary "$OUT/$e.json"
done
rm -rf "$LOGS"
