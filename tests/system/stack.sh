#!/usr/bin/env bash
# Sourced by the system fault scenarios (fault-test.sh, faults-db-test.sh, soak-test.sh, partition-test.sh): a
# private PostgreSQL, N silos and the API on free loopback ports (started by scripts/stack.sh, as every script
# starts them), the load client (tests/Actors.FaultLoad), PASS/FAIL checks, the checks against the database
# (FaultLoad verify) and a cleanup that runs on every exit.
# The caller sets STACK_NAME (log prefix and folder) before sourcing, and may register cleanup steps with
# on_exit "command" (run in reverse order after the processes and PostgreSQL have stopped).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
source "$ROOT/scripts/stack.sh"
for tool in curl jq; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null; }
done

T0=$SECONDS
work="$(mktemp -d "/tmp/actors-${STACK_NAME:-stack}.XXXXXX")"
[ "$(id -u)" -eq 0 ] && chmod 755 "$work"
mkdir -p "$work/logs" "$work/load"
echo warmup >"$work/load/phase"

passed=0; failed=0; results=()
record() { # record "PASS: ..." | "FAIL: ...": one check's result line, counted
  case "$1" in PASS:*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
  results+=("$1")
  log "$(tail -n1 <<<"$1")"
}
check() { # check NAME CONDITION-EXIT-STATUS DETAIL
  if [ "$2" -eq 0 ]; then record "PASS: $1${3:+ ($3)}"; else record "FAIL: $1${3:+ ($3)}"; fi
}
# ok TEST-ARGS...: 0 when the one test holds (for check's second argument). For several conditions write
# "$([ a ] && [ b ]; echo $?)": in "$(ok [ a ] && [ b ])" only the first would count.
ok() { "$@" && echo 0 || echo 1; }
has_prefix() { [[ "$1" == "$2"* ]]; }
elapsed() { echo $((SECONDS - T0)); }
phase() { echo "$1" >"$work/load/phase"; log "phase $1 ($(elapsed)s)"; }
sleep_until() { while [ $SECONDS -lt "$1" ]; do sleep 0.2; done; }   # a fault of fixed length, not a wait for a condition

LOAD_DLL="$ROOT/tests/Actors.FaultLoad/bin/Release/net10.0/Actors.FaultLoad.dll"

declare -a silo_pid silo_port gw_port silo_http silo_runs silo_prefix
api_pid=""; load_pid=""; extra_pids=(); exit_steps=()
on_exit() { exit_steps+=("$1"); }
pg_data="$work/pg"

stack_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  touch "$work/load/stop"
  stop_pid "$load_pid" 20
  stop_pid "$api_pid" 20
  for p in "${silo_pid[@]:-}"; do stop_pid "$p" 20; done
  for p in "${extra_pids[@]:-}"; do stop_pid "$p" 5; done
  [ -n "${PGBIN:-}" ] && pg_stop "$pg_data"
  local i
  for ((i = ${#exit_steps[@]} - 1; i >= 0; i--)); do eval "${exit_steps[$i]}" || true; done
  if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
    log "last warnings and errors (all logs kept in $work):"
    for f in "$work"/logs/api.log "$work"/logs/silo*.log; do
      [ -f "$f" ] || continue
      grep -E '"level":"(warning|error|critical)"' "$f" | tail -n 5 | jq -rc --arg f "${f##*/}" '"  \($f) \(.timestamp) \(.message | gsub("\\s+"; " ") | .[0:300])"' 2>/dev/null || true
    done >&2
  elif [ -n "${ACTORS_FAULT_KEEP:-}" ]; then
    log "logs kept in $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap stack_cleanup EXIT
trap 'exit 130' INT TERM

# stack_pg: starts the private PostgreSQL in $pg_data (set pg_data first to put it elsewhere).
stack_pg() {
  pg_port="$(free_port)"
  pg_start "$pg_data" "$pg_port"
  psql_q() { "$PGBIN/psql" -h 127.0.0.1 -p "$pg_port" -U actors -d actors -tAq -v ON_ERROR_STOP=1 "$@"; }
  STACK_DB_URL="postgresql://actors:actors@127.0.0.1:$pg_port/actors"
  # The stack's connection string; stack_proxy points it at the delaying proxy instead.
  db_port="$pg_port"
}

stack_build_and_migrate() {
  stack_build
  export ConnectionStrings__Actors="$(connection_string "$db_port")"
  stack_migrate "$work/logs/migrate.log"
  export Orleans__ClusterId="${STACK_NAME:-stack}-$(date +%s)-$$"
  export Orleans__ServiceId="actors-${STACK_NAME:-stack}"
  export Orleans__ResponseTimeoutSeconds=5
  export ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production
  export LOG_LEVEL=Information
  export Jobs__HeartbeatInterval=00:00:02 Jobs__StuckAfter=00:00:10 Jobs__RetryBaseDelay=00:00:01 Jobs__MaxRetryDelay=00:00:05
}

# stack_proxy: the delaying TCP proxy (FaultLoad proxy mode) in front of PostgreSQL; the stack connects through it.
stack_proxy() {
  proxy_port="$(free_port)"
  dotnet "$LOAD_DLL" proxy --listen "$proxy_port" --target "$pg_port" --delay-file "$work/delay" >"$work/logs/proxy.log" 2>&1 &
  extra_pids+=($!)
  local deadline=$((SECONDS + 30))
  until "$PGBIN/psql" -h 127.0.0.1 -p "$proxy_port" -U actors -d actors -tAqc 'SELECT 1' >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && { log "proxy not answering"; return 1; }
    sleep 0.2
  done
  db_port="$proxy_port"
  log "delaying proxy 127.0.0.1:$proxy_port -> PostgreSQL 127.0.0.1:$pg_port"
}
set_delay() { echo "$1" >"$work/delay.tmp" && mv "$work/delay.tmp" "$work/delay"; }

# stack_silos N: starts N silos and waits for N Active rows.
stack_silos() {
  local n="$1" i
  silo_count="$n"
  for ((i = 0; i < n; i++)); do
    silo_port[$i]="$(free_port)"; gw_port[$i]="$(free_port)"; silo_http[$i]="$(free_port)"; silo_runs[$i]=0
    silo_prefix[$i]="${silo_prefix[$i]:-}"
  done
  for ((i = 0; i < n; i++)); do start_silo "$i"; done
  for ((i = 0; i < n; i++)); do wait_silo_ready "$i"; done
  wait_active "$n"
}
start_silo() { # index (silo_prefix[i], e.g. "ip netns exec NS", and silo_env[i] apply)
  local i="$1" n="${silo_runs[$1]}"
  silo_runs[$i]=$((n + 1))
  # shellcheck disable=SC2086 # the prefix and the settings are words
  launch_silo "$work/logs/silo$i.$n.log" "http://${silo_addr[$i]:-127.0.0.1}:${silo_http[$i]}" "${silo_port[$i]}" "${gw_port[$i]}" \
    ${silo_prefix[$i]:-} env ${silo_env[$i]:-}
  silo_pid[$i]=$launched_pid
}
wait_silo_ready() {
  local i="$1"
  wait_http "http://${silo_addr[$i]:-127.0.0.1}:${silo_http[$i]}/readyz" 90 || { log "silo $i not ready in 90 s"; return 1; }
}
# stack_api [SETTINGS-JSON]: starts the API, bootstraps the tenant 'fault' with these settings (by default limits
# no load reaches) and sets $token (its admin) and $op_token.
stack_api() {
  local settings='{"requests_per_second":100000,"max_concurrent_jobs":64,"max_active_jobs":100000,"max_candidates":10000000}'
  [ -n "${1:-}" ] && settings="$1"
  api_port="$(free_port)"
  API="http://127.0.0.1:$api_port"
  local signing_key="base64:$(head -c 48 /dev/urandom | base64 -w0)"
  launch_api "$work/logs/api.log" "$API" env Auth__SigningKeys__0="$signing_key" \
    Bootstrap__OperatorEmail=op@fault.example Bootstrap__OperatorPassword=fault-operator-pw \
    Bootstrap__TenantId=fault Bootstrap__TenantName="Fault test" \
    Bootstrap__TenantAdminEmail=admin@fault.example Bootstrap__TenantAdminPassword=fault-admin-pw
  api_pid=$launched_pid
  wait_http "$API/readyz" 90 || { log "API not ready"; return 1; }
  op_token="$(sign_in "$API" op@fault.example fault-operator-pw 60)" && token="$(sign_in "$API" admin@fault.example fault-admin-pw 60)" \
    || { log "bootstrap accounts never appeared"; return 1; }
  curl -fsS -o /dev/null -X PATCH "$API/tenants/fault" -H "Authorization: Bearer $op_token" -H 'Content-Type: application/json' \
    -d "{\"settings\":$settings}"
}

# api METHOD PATH [BODY] [IDEMPOTENCY-KEY]: retries 503/429 (with Retry-After) for up to 90 s; prints the body.
api() {
  local method="$1" path="$2" body="${3:-}" key="${4:-}" deadline=$((SECONDS + 90)) status
  local args=(-s -o "$work/api.out" -D "$work/api.headers" -w '%{http_code}' --max-time 30 -X "$method" "$API$path"
              -H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  [ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
  while true; do
    status="$(curl "${args[@]}" || echo 000)"
    case "$status" in
      2??) cat "$work/api.out"; return 0 ;;
      503|429)
        grep -qi '^retry-after:' "$work/api.headers" || { log "$method $path: $status without Retry-After"; return 1; }
        [ $SECONDS -ge $deadline ] && { log "$method $path: still $status after 90 s"; return 1; } ;;
      *) log "$method $path: HTTP $status $(head -c 300 "$work/api.out")"; return 1 ;;
    esac
    sleep 1
  done
}

# probe METHOD PATH [BODY] [KEY]: one request; prints "STATUS[+ra] SECONDS" (+ra: with Retry-After).
probe() {
  local method="$1" path="$2" body="${3:-}" key="${4:-}" out
  local args=(-s -o /dev/null -D "$work/probe.headers" -w '%{http_code} %{time_total}' --max-time 60 -X "$method" "$API$path"
              -H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  [ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
  out="$(curl "${args[@]}" || echo "000 60")"
  local s="${out%% *}" t="${out##* }"
  grep -qi '^retry-after:' "$work/probe.headers" 2>/dev/null && s="$s+ra"
  echo "$s $t"
}
probe_create() { # name: a create with its own key and company name
  probe POST /candidates "{\"company_name\":\"probe-$1\",\"contact_email\":\"probe@fault.example\"}" "probe-$1"
}

# stack_load ARGS...: starts the load client with extra arguments.
stack_load() {
  dotnet "$LOAD_DLL" --api "$API" --token "$token" --dir "$work/load" "$@" >"$work/logs/load.log" 2>&1 &
  load_pid=$!
}
stop_load() {
  touch "$work/load/stop"
  local deadline=$((SECONDS + 60))
  while kill -0 "$load_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  wait "$load_pid" 2>/dev/null || true
  load_pid=""
  summary="$work/load/summary.json"
  [ -f "$summary" ] || { log "the load client wrote no summary"; return 1; }
}
jqs() { jq -r "$1" "$summary"; }
count_candidates() { psql_q -c "SELECT count(*) FROM candidates WHERE tenant_id = 'fault'"; }
# wait_load_progress [N] [SECONDS]: until N more candidates are stored.
wait_load_progress() {
  local before deadline=$((SECONDS + ${2:-60})) more="${1:-1}"
  before="$(count_candidates)"
  until [ "$(count_candidates 2>/dev/null || echo 0)" -ge $((before + more)) ]; do
    [ $SECONDS -ge $deadline ] && { log "no write acknowledged for ${2:-60} s"; return 1; }
    sleep 0.2
  done
}

# wait_jobs_settled SECONDS: until no job of the tenant is queued or processing (or the deadline passes; the
# checks that follow then report what is unfinished).
wait_jobs_settled() {
  local deadline=$((SECONDS + $1))
  until [ "$(psql_q -c "SELECT count(*) FROM jobs WHERE tenant_id = 'fault' AND status NOT IN ('completed', 'failed', 'cancelled')")" = 0 ] \
    || [ $SECONDS -ge $deadline ]; do sleep 1; done
}
# verify ARGS...: the checks of Actors.FaultLoad verify against the database (direct, not through the proxy)
# and the JSON logs; each of its PASS/FAIL lines counts as a check here.
verify() {
  local line before=$((passed + failed))
  while IFS= read -r line; do
    case "$line" in
      PASS:* | FAIL:*) record "$line" ;;
      *) [ -n "$line" ] && log "verify: $line" ;;
    esac
  done < <(dotnet "$LOAD_DLL" verify --connection-string "$(connection_string "$pg_port")" --tenant fault "$@" 2>&1 || true)
  [ $((passed + failed)) -gt "$before" ] || check "verify ran its checks ($*)" 1
}
# check_writes: every acknowledged create, approval and job is stored exactly once (after stop_load).
check_writes() { verify --dir "$work/load"; }
# check_phases_clean PHASE...: the load saw only successes and 503/429 with Retry-After, none over the hang limit.
check_phases_clean() {
  local p f
  for p in "$@"; do
    f="$(jqs ".phases[\"$p\"].failures // 0")"
    check "phase $p: no answer other than success or 503 with Retry-After, none slower than the limit" "$(ok [ "$f" = 0 ])" \
      "$(jqs ".phases[\"$p\"] | \"ok \(.ok // 0), 503s \(.unavailable503 // 0), failures \(.failures // 0), longest \(.max_latency_ms // 0) ms, gap \(.max_failure_gap_ms // 0) ms\"")$( [ "$f" = 0 ] || printf '; %s' "$(jqs ".phases[\"$p\"].failure_samples[:3] | join(\" | \")")")"
  done
}
check_api_no_5xx() { verify --api-log "$work/logs/api.log"; }
finish() {
  printf '%s\n' "${results[@]}"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
