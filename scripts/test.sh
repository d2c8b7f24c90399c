#!/usr/bin/env bash
# Runs the whole test suite: the xunit tests against their own throwaway PostgreSQL cluster (deleted
# afterwards, unless ACTORS_TEST_PG names a server whose role may create databases), then the system
# tests, each on a stack and a PostgreSQL of its own:
#   tests/system/runbook-test.sh   every command of docs/OPERATIONS.md against a live two-silo stack
#   tests/system/fault-test.sh     three silos, the API and PostgreSQL under load: kills, restarts
#   tests/system/faults-db-test.sh exhausted connections, a slow database (delaying proxy), a full disk
#   tests/system/partition-test.sh a silo cut from PostgreSQL, then from its peers (network namespace)
#   tests/system/soak-test.sh      a 3-minute soak at a fixed rate: memory, activations, p99, no error
# (docs/RELIABILITY.md: what each fault test promises and the figures of its last run)
# It installs what it needs: PostgreSQL (Debian's packages), Spectral for the OpenAPI lint (npm) and
# chromium for the console's browser tests (Debian's package; Playwright downloads no browser).
# Arguments go to `dotnet test` (e.g. --filter X); with arguments the system tests are left out, and
# ACTORS_SKIP_SYSTEM_TESTS=1 leaves them out too. It lists each part's checks and seconds, the wall time, and
# last a line that counts every check: all: N passed, M failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp="$(mktemp -d /tmp/actors-test.XXXXXX)"
[ "$(id -u)" -eq 0 ] && chmod 755 "$tmp"
pg_dir=""
if [ -z "${ACTORS_TEST_PG:-}" ]; then
  pg_dir="$tmp/pg"
  port="$(free_port)"
  pg_start "$pg_dir" "$port"
  export ACTORS_TEST_PG="$(connection_string "$port" postgres)"
fi
trap '[ -n "$pg_dir" ] && pg_stop "$pg_dir"; rm -rf "$tmp"' EXIT

# The OpenAPI lint (Spectral, tests/lint) runs inside the xunit tests; npm installs it from the lock file.
if [ ! -x "$ROOT/tests/lint/node_modules/.bin/spectral" ]; then
  command -v npm >/dev/null || { log "npm is needed for the OpenAPI lint (Debian: apt-get install -y nodejs npm)"; exit 1; }
  log "installing Spectral (npm ci in tests/lint)"
  (cd "$ROOT/tests/lint" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The console's browser tests (tests/Actors.Tests/Console) drive Debian's chromium through Playwright.
if ! command -v chromium >/dev/null; then
  log "installing chromium for the console's browser tests (apt-get install chromium)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
dotnet build "$ROOT/Actors.sln" -c Release -nologo -v q -clp:ErrorsOnly
status=0
dotnet test "$ROOT/tests/Actors.Tests/Actors.Tests.csproj" -c Release --no-build -nologo \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$tmp/xunit.log" || status=1
passed=$(sed -n 's/^ *Passed: *\([0-9]*\)$/\1/p' "$tmp/xunit.log" | tail -1); passed=${passed:-0}
failed=$(sed -n 's/^ *Failed: *\([0-9]*\)$/\1/p' "$tmp/xunit.log" | tail -1); failed=${failed:-0}
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1   # the runner itself failed
durations=("xunit (build included): $passed passed, $failed failed, $SECONDS s")

if [ $# -eq 0 ] && [ -z "${ACTORS_SKIP_SYSTEM_TESTS:-}" ]; then
  [ -n "$pg_dir" ] && pg_stop "$pg_dir" && pg_dir=""   # the system tests bring their own
  for system_test in runbook-test.sh fault-test.sh faults-db-test.sh partition-test.sh "soak-test.sh --minutes 3"; do
    read -r script script_args <<<"$system_test"
    [ -x "$ROOT/tests/system/$script" ] || continue
    log "system test: $system_test"
    started=$SECONDS
    # shellcheck disable=SC2086 # the arguments are words
    ACTORS_SKIP_BUILD=1 "$ROOT/tests/system/$script" $script_args 2>&1 | tee "$tmp/$script.log" || status=1
    summary="$(grep -E '[0-9]+ passed, [0-9]+ failed' "$tmp/$script.log" | tail -1 || true)"
    p=$(sed -n 's/.*\b\([0-9]\+\) passed.*/\1/p' <<<"$summary"); f=$(sed -n 's/.*\b\([0-9]\+\) failed.*/\1/p' <<<"$summary")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    [ "$status" -ne 0 ] && [ -z "$f" ] && failed=$((failed + 1))
    durations+=("$system_test: ${p:-0} passed, ${f:-?} failed, $((SECONDS - started)) s")
  done
fi
printf '%s\n' "${durations[@]}" "wall time: $SECONDS s"
echo "all: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
