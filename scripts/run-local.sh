#!/usr/bin/env bash
# Runs the whole system locally: a private PostgreSQL (data kept in .data/), one silo and the API on
# http://127.0.0.1:8080. Ctrl-C stops everything; running it again keeps the data.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT="${ACTORS_PG_PORT:-55432}"
DATA="${ACTORS_DATA_DIR:-$ROOT/.data}"
API_URL="${ACTORS_API_URL:-http://127.0.0.1:8080}"
SILO_URL="${ACTORS_SILO_URL:-http://127.0.0.1:8081}"

pg_start "$DATA/pg" "$PG_PORT"
export ConnectionStrings__Actors="${ConnectionStrings__Actors:-$(connection_string "$PG_PORT")}"
export Orleans__SiloPort="${Orleans__SiloPort:-11211}"
export Orleans__GatewayPort="${Orleans__GatewayPort:-30200}"
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

log "building (Release)"
dotnet build "$ROOT/Actors.sln" -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
SILO_DLL="$ROOT/src/Silo/bin/Release/net10.0/Actors.Silo.dll"
API_DLL="$ROOT/src/WebApi/bin/Release/net10.0/Actors.WebApi.dll"

log "migrating"
dotnet "$SILO_DLL" migrate >/dev/null

mkdir -p "$DATA/logs"
pids=()
cleanup() {
  trap - INT TERM EXIT
  log "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_stop "$DATA/pg"
  log "stopped; data kept in $DATA"
}
trap cleanup INT TERM EXIT

ASPNETCORE_URLS="$SILO_URL" dotnet "$SILO_DLL" >>"$DATA/logs/silo.log" 2>&1 &
pids+=($!)
ASPNETCORE_URLS="$API_URL" dotnet "$API_DLL" >>"$DATA/logs/api.log" 2>&1 &
pids+=($!)

if wait_http "$API_URL/readyz" 90; then
  cat <<MSG
[actors] ready
  API         $API_URL
  API docs    $API_URL/docs   (OpenAPI: $API_URL/openapi/v1.json)
  health      $API_URL/health/detailed
  metrics     $API_URL/metrics   (silo: $SILO_URL/metrics)
  dashboard   $API_URL/dashboard
  logs        $DATA/logs/
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
  log "the API did not become ready in 90 s; see $DATA/logs/"
fi
wait -n "${pids[@]}" || true
