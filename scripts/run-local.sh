#!/usr/bin/env bash
# Runs the whole system locally: a private PostgreSQL (data kept in .data/), ACTORS_SILOS silos (1)
# and the API on http://127.0.0.1:8080. Ctrl-C stops everything; running it again keeps the data.
# While it runs, scripts/actorsctl starts, stops and restarts single processes (see its header).
# ACTORS_SKIP_BUILD=1 skips the Release build (the runbook test sets it when the tree is built).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/stack.sh"

PG_PORT="${ACTORS_PG_PORT:-55432}"
DATA="${ACTORS_DATA_DIR:-$ROOT/.data}"
SILOS="${ACTORS_SILOS:-1}"
API_PORT="${ACTORS_API_PORT:-8080}"
API_URL="http://127.0.0.1:$API_PORT"
SILO_URL="http://127.0.0.1:$(( ${ACTORS_SILO_HTTP_BASE:-8080} + 1 ))"

pg_start "$DATA/pg" "$PG_PORT"
export ConnectionStrings__Actors="${ConnectionStrings__Actors:-$(connection_string "$PG_PORT")}"
export Orleans__ClusterId="${Orleans__ClusterId:-actors}"
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
# Local billing and SMTP stubs run on 127.0.0.1: in Development, allow outbound calls to loopback (never in production).
if [ "$DOTNET_ENVIRONMENT" = "Development" ]; then
  export Outbound__AllowLoopback="${Outbound__AllowLoopback:-true}"
fi

# A JWT signing key made once per data folder (kept, so tokens survive restarts).
first_start=false
if [ ! -s "$DATA/jwt-signing-key" ]; then
  first_start=true
  head -c 48 /dev/urandom | base64 -w0 > "$DATA/jwt-signing-key"
  chmod 600 "$DATA/jwt-signing-key"
fi
export Auth__SigningKeys__0="${Auth__SigningKeys__0:-base64:$(cat "$DATA/jwt-signing-key")}"
# Development accounts, created only if missing (see README, Bootstrap).
export Bootstrap__OperatorEmail="${Bootstrap__OperatorEmail:-admin@example.com}"
export Bootstrap__OperatorPassword="${Bootstrap__OperatorPassword:-admin123}"
export Bootstrap__TenantId="${Bootstrap__TenantId:-default}"
export Bootstrap__TenantName="${Bootstrap__TenantName:-Default tenant}"
export Bootstrap__TenantAdminEmail="${Bootstrap__TenantAdminEmail:-tenant-admin@example.com}"
export Bootstrap__TenantAdminPassword="${Bootstrap__TenantAdminPassword:-admin123}"
export ASPNETCORE_ENVIRONMENT="$DOTNET_ENVIRONMENT"

stack_build
log "migrating"
mkdir -p "$DATA/logs"
stack_migrate "$DATA/logs/migrate.log"

# What scripts/actorsctl needs to manage this stack from another terminal (secrets: mode 600).
# Each line keeps a value the caller exports (VAR=... scripts/actorsctl restart api), as key rotation does.
squote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
umask 077
{
  for var in ConnectionStrings__Actors Orleans__ClusterId DOTNET_ENVIRONMENT ASPNETCORE_ENVIRONMENT Auth__SigningKeys__0 \
             Bootstrap__OperatorEmail Bootstrap__OperatorPassword Bootstrap__TenantId Bootstrap__TenantName \
             Bootstrap__TenantAdminEmail Bootstrap__TenantAdminPassword ACTORS_PG_PORT ACTORS_SILOS ACTORS_API_PORT \
             ACTORS_SILO_HTTP_BASE ACTORS_SILO_PORT_BASE ACTORS_GATEWAY_PORT_BASE LOG_LEVEL Outbound__AllowLoopback; do
    [ -n "${!var:-}" ] && printf '[ -n "${%s:-}" ] || export %s=%s\n' "$var" "$var" "$(squote "${!var}")"
  done
  printf '[ -n "${ACTORS_PG_PORT:-}" ] || export ACTORS_PG_PORT=%s\n' "$PG_PORT"
  printf '[ -n "${ACTORS_SILOS:-}" ] || export ACTORS_SILOS=%s\n' "$SILOS"
} >"$DATA/stack.env"
umask 022

CTL="$ROOT/scripts/actorsctl"
export ACTORS_DATA_DIR="$DATA" ACTORS_SILOS="$SILOS"
sleeper=""
cleanup() {
  trap - INT TERM EXIT
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  log "stopping"
  "$CTL" stop all || true
  pg_stop "$DATA/pg"
  log "stopped; data kept in $DATA"
}
trap cleanup INT TERM EXIT

if "$CTL" start all; then
  cat <<MSG
[actors] ready
  API         $API_URL
  API docs    $API_URL/docs   (OpenAPI: $API_URL/openapi/v1.json)
  health      $API_URL/health/detailed
  metrics     $API_URL/metrics   (silo 1: $SILO_URL/metrics)
  dashboard   $API_URL/dashboard
  logs        $DATA/logs/
  control     scripts/actorsctl status | start/stop/restart silo N | rolling-restart
  database    $ConnectionStrings__Actors
Ctrl-C stops everything.
MSG
  if [ "$first_start" = true ]; then
    cat <<MSG
[actors] first start: development accounts (change them: PATCH /tenants/{id}/users/{email})
  operator        $Bootstrap__OperatorEmail / $Bootstrap__OperatorPassword
  tenant admin    $Bootstrap__TenantAdminEmail / $Bootstrap__TenantAdminPassword  (tenant "$Bootstrap__TenantId")
  sign in         curl -s -X POST $API_URL/auth/login -d username=$Bootstrap__OperatorEmail -d password=$Bootstrap__OperatorPassword
MSG
  fi
else
  log "the stack did not become ready; see $DATA/logs/"
fi
# Runs until Ctrl-C (or SIGTERM); processes stopped or restarted with actorsctl meanwhile are fine.
sleep infinity &
sleeper=$!
wait "$sleeper"
