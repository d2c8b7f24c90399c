#!/usr/bin/env bash
# Shared helpers for the run, test, benchmark and ops scripts: a private PostgreSQL cluster
# under a folder of ours, never the system's cluster.
set -euo pipefail

ROOT="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '[actors] %s\n' "$*" >&2; }

# Installs PostgreSQL from Debian's packages when no server binaries are present.
ensure_postgres() {
  if ! ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "PostgreSQL not found: installing Debian's postgresql package"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  fi
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  export PGBIN
}

# Runs a PostgreSQL server binary as the postgres user when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start DATA_DIR PORT: initialises (first time) and starts a cluster on 127.0.0.1:PORT.
# Role 'actors' with password 'actors' owns database 'actors'.
pg_start() {
  local data="$1" port="$2"
  ensure_postgres
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$data"; chmod 700 "$data"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $data"
    local pwfile; pwfile="$(mktemp)"; echo "actors" >"$pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
    as_pg "$PGBIN/initdb" -D "$data" -U actors --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
CONF
  fi
  if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "PostgreSQL already running in $data"
  else
    as_pg "$PGBIN/pg_ctl" -D "$data" -o "-p $port" -l "$data/server.log" -w -t 60 start >/dev/null
    log "PostgreSQL listening on 127.0.0.1:$port"
  fi
  export PGPASSWORD=actors
  if ! "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U actors -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='actors'" | grep -q 1; then
    "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U actors -d postgres -qc "CREATE DATABASE actors" >/dev/null
  fi
}

pg_stop() {
  local data="$1"
  if [ -f "$data/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
  fi
}

connection_string() { # port [database]
  echo "Host=127.0.0.1;Port=$1;Database=${2:-actors};Username=actors;Password=actors;Maximum Pool Size=100"
}

# A TCP port nobody listens on (asks the kernel).
free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# wait_http URL SECONDS: waits until URL answers 200.
wait_http() {
  local url="$1" deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    sleep 0.5
  done
}

# The database target of the ops scripts (backup, restore, db-stats): libpq's environment, else the
# local stack. pg_target_option consumes one --host/--port/--dbname/--user and its value.
pg_target_defaults() {
  host="${PGHOST:-127.0.0.1}"; port="${PGPORT:-${ACTORS_PG_PORT:-55432}}"
  dbname="${PGDATABASE:-actors}"; user="${PGUSER:-actors}"
}
pg_target_option() {
  case "$1" in
    --host) host="$2" ;; --port) port="$2" ;; --dbname) dbname="$2" ;; --user) user="$2" ;;
    *) return 1 ;;
  esac
}
