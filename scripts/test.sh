#!/usr/bin/env bash
# Runs the whole test suite against its own throwaway PostgreSQL cluster (deleted afterwards),
# unless ACTORS_TEST_PG names a server to use (a connection string whose role may create databases);
# then the system fault test (tests/system/fault-test.sh, always on a PostgreSQL of its own).
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
status=0
dotnet test "$ROOT/tests/Actors.Tests/Actors.Tests.csproj" -c Release --no-build -nologo \
  --logger "console;verbosity=normal" "$@" || status=$?

# The fault test (three silo processes, the API and its own PostgreSQL under load: silo kills, a rolling
# restart, a PostgreSQL restart; about 4 minutes). ACTORS_SKIP_SYSTEM_TESTS=1 leaves it out.
if [ -z "${ACTORS_SKIP_SYSTEM_TESTS:-}" ]; then
  ACTORS_SKIP_BUILD=1 "$ROOT/tests/system/fault-test.sh" || status=$?
fi
exit "$status"
