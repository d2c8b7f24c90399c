#!/usr/bin/env bash
# Runs the whole test suite against its own throwaway PostgreSQL cluster (deleted afterwards),
# unless ACTORS_TEST_PG names a server to use (a connection string whose role may create databases).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tmp=""
if [ -z "${ACTORS_TEST_PG:-}" ]; then
  tmp="$(mktemp -d /tmp/actors-test.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chmod 755 "$tmp"
  port="$(free_port)"
  trap 'pg_stop "$tmp/pg"; rm -rf "$tmp"' EXIT
  pg_start "$tmp/pg" "$port"
  export ACTORS_TEST_PG="$(connection_string "$port" postgres)"
fi

dotnet build "$ROOT/Actors.sln" -c Release -nologo -v q -clp:ErrorsOnly
dotnet test "$ROOT/tests/Actors.Tests/Actors.Tests.csproj" -c Release --no-build -nologo \
  --logger "console;verbosity=normal" "$@"
