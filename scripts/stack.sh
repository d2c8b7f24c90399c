#!/usr/bin/env bash
# The one way the scripts start the stack's processes. Sourced (after lib.sh) by scripts/actorsctl (and so
# scripts/run-local.sh and the runbook test), scripts/bench.sh and the system tests (tests/system/stack.sh):
#   stack_build                  the Release build of the solution (skipped when ACTORS_SKIP_BUILD is set)
#   stack_migrate [LOG]          applies sql/ to ConnectionStrings__Actors
#   launch_silo LOG URL SILO_PORT GATEWAY_PORT [WORD...]
#   launch_api LOG URL [WORD...] one process in the background, its output appended to LOG, its HTTP
#                                endpoint at URL; WORDs run before it (ip netns exec NS, env VAR=value ...);
#                                the process id is left in $launched_pid; both get MALLOC_ARENA_MAX=2 unless
#                                the caller exported another (glibc's malloc arenas: src/Infrastructure/MallocArenas.cs)
#   stop_pid PID [SECONDS] [SIGNAL]  SIGTERM (or SIGNAL), SIGKILL after SECONDS (20) if still alive
#   wait_exit PID SECONDS        waits until the process has ended; fails if it still runs after SECONDS
#   sign_in API EMAIL PASSWORD [SECONDS]  the access token of an account, once the API's bootstrap has made
#                                it (it runs in the background after /readyz); fails after SECONDS (60)
#   active_silos / wait_active N [SECONDS]  the cluster's Active membership rows (ConnectionStrings__Actors,
#                                or STACK_DB_URL as a libpq URL), and waiting until there are exactly N
# Every setting (connection string, cluster id, keys, ports) comes from the caller's environment.

SILO_DLL="$ROOT/src/Silo/bin/Release/net10.0/Actors.Silo.dll"
API_DLL="$ROOT/src/WebApi/bin/Release/net10.0/Actors.WebApi.dll"

stack_build() {
  [ -n "${ACTORS_SKIP_BUILD:-}" ] && return 0
  log "building (Release)"
  dotnet build "$ROOT/Actors.sln" -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
}

stack_migrate() { # [LOG]
  dotnet "$SILO_DLL" migrate >"${1:-/dev/null}" 2>&1 || { log "migration failed${1:+; see $1}"; return 1; }
}

launch_silo() { # LOG URL SILO_PORT GATEWAY_PORT [WORD...]
  local out="$1" url="$2" silo_port="$3" gateway_port="$4"; shift 4
  "$@" nohup env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" Orleans__SiloPort="$silo_port" Orleans__GatewayPort="$gateway_port" \
    ASPNETCORE_URLS="$url" dotnet "$SILO_DLL" </dev/null >>"$out" 2>&1 &
  launched_pid=$!
}

launch_api() { # LOG URL [WORD...]
  local out="$1" url="$2"; shift 2
  "$@" nohup env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" ASPNETCORE_URLS="$url" dotnet "$API_DLL" </dev/null >>"$out" 2>&1 &
  launched_pid=$!
}

stop_pid() { # PID [SECONDS] [SIGNAL]
  local pid="$1" deadline=$((SECONDS + ${2:-20}))
  [ -z "$pid" ] && return 0
  kill -"${3:-TERM}" "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

wait_exit() { # PID SECONDS
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.1
  done
  wait "$1" 2>/dev/null || true
}

sign_in() { # API EMAIL PASSWORD [SECONDS]
  local deadline=$((SECONDS + ${4:-60})) token
  while true; do
    token="$(curl -s -X POST "$1/auth/login" --data-urlencode "username=$2" --data-urlencode "password=$3" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' || true)"
    [ -n "$token" ] && { echo "$token"; return 0; }
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.5
  done
}

# The connection string (Host=..;Port=..;Database=..;Username=..;Password=..) as a libpq URL for psql.
libpq_url() {
  local cs="${ConnectionStrings__Actors:-}" host port db user pass
  host="$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$cs")"; port="$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$cs")"
  db="$(sed -n 's/.*Database=\([^;]*\).*/\1/p' <<<"$cs")"; user="$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$cs")"
  pass="$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$cs")"
  echo "postgresql://${user:-actors}:${pass}@${host:-127.0.0.1}:${port:-5432}/${db:-actors}"
}

active_silos() {
  "$PGBIN/psql" "${STACK_DB_URL:-$(libpq_url)}" -tAc \
    "SELECT count(*) FROM cluster_members WHERE deploymentid = '${Orleans__ClusterId:-actors}' AND status = 3" 2>/dev/null || echo 0
}

wait_active() { # N [SECONDS]: exactly N Active rows (a killed generation must be declared Dead first)
  local want="$1" deadline=$((SECONDS + ${2:-90}))
  until [ "$(active_silos)" = "$want" ]; do
    if [ $SECONDS -ge $deadline ]; then log "$(active_silos) active silo(s) in membership, wanted $want"; return 1; fi
    sleep 0.2
  done
}
