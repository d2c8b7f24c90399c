#!/usr/bin/env bash
# Runs the runbook (docs/OPERATIONS.md) against a live local stack: PostgreSQL, two silos and the
# API started by scripts/run-local.sh on free ports. Each `doc` step first checks that its command
# is written in the runbook word for word, then runs it and checks the answer the runbook gives.
# Then: a rolling restart of both silos under load with no failed request; scale out and in; key
# rotation; backup, wipe, restore, and every tenant, candidate and job back.
# Set ACTORS_SKIP_BUILD=1 when the solution is already built (scripts/test.sh does).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
set +e  # each check reports for itself; the summary decides the exit code
RUNBOOK="$ROOT/docs/OPERATIONS.md"
passed=0; failed=0; failures=()
pass() { passed=$((passed + 1)); printf '  ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '        %s\n' "${2:0:400}"; }
check() { if eval "$2" >/dev/null 2>&1; then pass "$1"; else fail "$1"; fi; }

RUNBOOK_TEXT="$(cat "$RUNBOOK")"
in_runbook() { [[ "$RUNBOOK_TEXT" == *"$1"* ]] || { fail "not in the runbook word for word: $1"; return 1; }; }
# doc EXPECTED COMMAND: COMMAND must appear in the runbook; its output must contain EXPECTED.
doc() {
  local expected="$1" command="$2" out
  in_runbook "$command" || return
  out="$(eval "$command" 2>&1)"
  if [[ "$out" == *"$expected"* ]]; then pass "$command"; else fail "$command -> $expected" "$out"; fi
}
# doc_ok COMMAND: COMMAND must appear in the runbook and succeed (its output may be empty).
doc_ok() {
  local out
  in_runbook "$1" || return
  if out="$(eval "$1" 2>&1)"; then pass "$1"; else fail "$1 (exit status)" "$out"; fi
}
# doc_set COMMAND: a runbook line that sets a variable, run in this shell.
doc_set() { in_runbook "$1" && eval "$1" && pass "$1"; }

for tool in jq curl; do
  command -v $tool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null; }
done
ensure_postgres
export PATH="$PATH:$PGBIN"

work="$(mktemp -d /tmp/actors-runbook.XXXXXX)"
[ "$(id -u)" -eq 0 ] && chmod 755 "$work"
export ACTORS_DATA_DIR="$work/data" ACTORS_SILOS=2 BACKUP_DIR="$work/backups"
export ACTORS_PG_PORT="$(free_port)" ACTORS_API_PORT="$(free_port)"
base=$((20000 + RANDOM % 9000)); export ACTORS_SILO_HTTP_BASE=$base ACTORS_SILO_PORT_BASE=$((base + 10)) ACTORS_GATEWAY_PORT_BASE=$((base + 20))
export Orleans__ClusterId="runbook-$$" LOG_LEVEL=Information
mkdir -p "$ACTORS_DATA_DIR"
stack_pid=""; load_pids=""
cleanup() {
  [ -n "$load_pids" ] && kill $load_pids 2>/dev/null
  [ -n "$stack_pid" ] && kill -TERM "$stack_pid" 2>/dev/null && wait "$stack_pid" 2>/dev/null
  "$ROOT/scripts/actorsctl" stop all >/dev/null 2>&1
  pg_stop "$ACTORS_DATA_DIR/pg"
  rm -rf "$work"
}
trap cleanup EXIT

cd "$work"  # the runbook's relative paths (.data/, backups/, scripts/) are the repository's: link them
ln -s "$ROOT/scripts" scripts; ln -s "$ACTORS_DATA_DIR" .data; mkdir -p backups
log "runbook test: starting the stack (API :$ACTORS_API_PORT, silos :$((base + 1)) :$((base + 2)))"
"$ROOT/scripts/run-local.sh" >"$work/stack.out" 2>&1 &
stack_pid=$!
if ! wait_http "http://127.0.0.1:$ACTORS_API_PORT/readyz" 240; then
  cat "$work/stack.out"; tail -50 "$ACTORS_DATA_DIR"/logs/*.log; echo "0 passed, 1 failed"; exit 1
fi

API=http://127.0.0.1:$ACTORS_API_PORT
SILO=http://127.0.0.1:$((base + 1))
PGURL=postgresql://actors:actors@127.0.0.1:$ACTORS_PG_PORT/actors
LOGS=.data/logs
# The operator and tenant admin the development stack bootstraps may take a moment after /readyz.
for _ in $(seq 1 60); do
  TOKEN=$(curl -s -X POST $API/auth/login -d username=admin@example.com -d password=admin123 | jq -r .access_token 2>/dev/null)
  [ -n "$TOKEN" ] && [ "$TOKEN" != null ] && break; sleep 0.5
done
AUTH="Authorization: Bearer $TOKEN"
TENANT="X-Tenant-Id: default"
doc_set 'TOKEN=$(curl -s -X POST $API/auth/login -d username=admin@example.com -d password=admin123 | jq -r .access_token)'
check "operator token issued" '[ ${#TOKEN} -gt 100 ]'

echo "== 1. quick reference"
doc "active silos in membership: 2" './scripts/actorsctl status'
doc "healthy" "curl -s \$API/health/detailed | jq '.status, .checks.cluster.active_silos'"
doc '"stuck"' 'curl -s $API/healthz/jobs'
doc "status" 'psql "$PGURL" -c "SELECT status, count(*) FROM jobs GROUP BY status"'

echo "== 2. monitoring"
doc '"status":"healthy"' 'curl -s $API/'
doc '{"status":"alive","service":"actors-api"}' 'curl -s $API/livez'
doc '"status":"ready"' 'curl -s $API/readyz'
doc '"status":"healthy"' 'curl -s $API/health'
doc '"response_time_ms"' 'curl -s $API/health/detailed'
doc '"response_time_ms"' 'curl -s $API/healthz/detailed'
doc '"queued"' 'curl -s $API/healthz/jobs'
doc '"status":"ready"' 'curl -s $SILO/readyz'
doc '"queued"' 'curl -s $SILO/healthz/jobs'
doc '"title":"Not found"' 'curl -s $SILO/no-such-path'
doc "all ops checks passed" './scripts/check-ops.sh'
doc "metrics-ok" 'curl -s $API/metrics | promtool check metrics && echo metrics-ok'
check "a silo's /metrics passes promtool" 'curl -s $SILO/metrics | promtool check metrics'
doc 'service_up{service="api"} 1' "curl -s \$API/metrics | grep -E '^(service_up|database_up|cluster_silos_active)[{ ]'"
metrics="$(curl -s $API/metrics)"
for series in http_requests_total http_request_duration_seconds_bucket database_up database_connections_active cluster_silos_active \
              job_queue_size jobs_stuck authentication_failures_total jwt_tokens_issued_total microsoft_orleans_orleans_; do
  check "metric $series exposed" "grep -q '^$series' <<<\"\$metrics\""
done
check "no id in a request series label" '! grep -E "^http_requests_total.*[0-9a-f]{8}-[0-9a-f]{4}-" <<<"$metrics"'

echo "== 3. logs"
curl -s -o /dev/null $API/health -H 'X-Request-Id: trace-me-123'
doc '"status_code":200' "jq -c 'select(.request_id==\"trace-me-123\")' \$LOGS/*.log"
doc "200" "jq -r 'select(.event==\"request\") | .status_code' \$LOGS/api.log | sort | uniq -c"
doc_ok "jq -c 'select(.level==\"error\" or .level==\"critical\")' \$LOGS/*.log | tail -20"
doc_ok "jq -c 'select(.event==\"request\" and .status_code>=500)' \$LOGS/api.log | tail -20"
doc_ok "jq -c 'select(.event==\"request\" and .duration_ms>2000)' \$LOGS/api.log | tail -20"
doc_ok "jq -c 'select(.logger|test(\"Auth\")) | select(.level!=\"info\")' \$LOGS/api.log | tail"
doc_ok "jq -c 'select(.event|tostring|test(\"billing_service\"))' \$LOGS/silo-*.log | tail"
check "request log lines carry every field" "jq -s -e '[.[] | select(.event==\"request\")] | length > 0 and all(has(\"timestamp\") and has(\"level\") and has(\"logger\") and has(\"message\") and has(\"request_id\") and has(\"tenant_id\") and has(\"user_id\") and has(\"endpoint\") and has(\"method\") and has(\"status_code\") and has(\"duration_ms\"))' $LOGS/api.log"
check "no password or token in the logs" "! grep -qE 'admin123|$TOKEN' $LOGS/*.log"

echo "== 4.5 tenants"
doc '"items"' 'curl -s "$API/tenants?status=active" -H "$AUTH"'
doc '"id":"acme"' "curl -s -X POST \$API/tenants -H \"\$AUTH\" -H 'Content-Type: application/json' \\
  -d '{\"id\":\"acme\",\"name\":\"Acme Ltd\",\"settings\":{\"max_concurrent_jobs\":4,\"requests_per_second\":100}}'"
doc '"role":"admin"' "curl -s -X POST \$API/tenants/acme/users -H \"\$AUTH\" -H 'Content-Type: application/json' \\
  -d '{\"email\":\"boss@acme.example\",\"password\":\"change-me-now\",\"role\":\"admin\"}'"
doc '"status":"suspended"' 'curl -s -X POST $API/tenants/acme/suspend -H "$AUTH"'
doc "403" "curl -s -o /dev/null -w '%{http_code}\n' -X POST \$API/auth/login -d username=boss@acme.example -d password=change-me-now"
doc '"status":"active"' 'curl -s -X POST $API/tenants/acme/activate -H "$AUTH"'
doc "200" "curl -s -o /dev/null -w '%{http_code}\n' -X POST \$API/auth/login -d username=boss@acme.example -d password=change-me-now"
doc '"requests_per_second":200' "curl -s -X PATCH \$API/tenants/acme -H \"\$AUTH\" -H 'Content-Type: application/json' \\
  -d '{\"settings\":{\"requests_per_second\":200,\"max_concurrent_jobs\":8}}'"
doc "acme" 'psql "$PGURL" -c "SELECT id, status, updated_at FROM tenants ORDER BY id"'

echo "== 4.6 candidates"
doc '"status":"pending"' "curl -s -X POST \$API/candidates -H \"\$AUTH\" -H \"\$TENANT\" -H 'Content-Type: application/json' \\
  -d '{\"company_name\":\"Runbook Plumbing\",\"contact_email\":\"ops@plumbing.example\",\"products\":[\"water\"]}'"
doc_set "CANDIDATE=\$(curl -s \"\$API/candidates?status=pending&limit=1\" -H \"\$AUTH\" -H \"\$TENANT\" | jq -r '.items[0].id')"
check "candidate found by status" '[[ "$CANDIDATE" =~ ^[0-9a-f-]{36}$ ]]'
doc '"pending"' 'curl -s "$API/candidates/stats" -H "$AUTH" -H "$TENANT"'
doc '"status":"approved"' 'curl -s -X POST $API/candidates/$CANDIDATE/approve -H "$AUTH" -H "$TENANT"'
doc '"approved"' 'curl -s $API/candidates/$CANDIDATE/history -H "$AUTH" -H "$TENANT"'
doc '"tenant_id"' 'curl -s "$API/candidates?limit=5" -H "$AUTH"'
doc "approved" "psql \"\$PGURL\" -c \"SELECT status, count(*) FROM candidates WHERE tenant_id = 'default' GROUP BY status\""
doc "provider_id" "psql \"\$PGURL\" -c \"SELECT id, company_name, provisioning, provider_id FROM candidates WHERE provisioning = 'failed'\""
doc_ok "printf 'company_name,contact_email,products\\nRunbook Rail,rail@runbook.example,freight\\nBad Row,not-an-email,\\n' > /tmp/runbook-import.csv"
doc_set "IMPORT=\$(curl -s -X POST \$API/candidates/imports -H \"\$AUTH\" -H \"\$TENANT\" -H 'Content-Type: text/csv' --data-binary @/tmp/runbook-import.csv | jq -r .id)"
for _ in $(seq 1 60); do [ "$(curl -s $API/jobs/$IMPORT -H "$AUTH" -H "$TENANT" | jq -r .status)" = completed ] && break; sleep 0.5; done
doc '"invalid_rows"' "curl -s \$API/jobs/\$IMPORT -H \"\$AUTH\" -H \"\$TENANT\" | jq -c '{status, progress, result}'"
doc "finished_at" "psql \"\$PGURL\" -c \"SELECT id, tenant_id, rows, next_seq, imported, invalid + over_limit AS refused, finished_at FROM candidate_imports ORDER BY created_at DESC LIMIT 5\""
check "the import created its one valid record" '[ "$(curl -s $API/jobs/$IMPORT -H "$AUTH" -H "$TENANT" | jq -r .result.imported)" = 1 ]'

echo "== 4.7 jobs"
doc '"status":"queued"' "curl -s -X POST \$API/jobs -H \"\$AUTH\" -H \"\$TENANT\" -H 'Content-Type: application/json' \\
  -d '{\"type\":\"diagnostics.sleep\",\"parameters\":{\"steps\":3,\"step_ms\":100}}'"
doc '"status":"queued"' "curl -s -X POST \$API/jobs -H \"\$AUTH\" -H \"\$TENANT\" -H 'Content-Type: application/json' \\
  -d '{\"type\":\"diagnostics.sleep\",\"parameters\":{\"steps\":1,\"fail_attempts\":1},\"max_attempts\":1}'"
doc '"items"' 'curl -s "$API/jobs?status=processing" -H "$AUTH" -H "$TENANT"'
for _ in $(seq 1 60); do [ "$(curl -s $API/jobs/failed -H "$AUTH" -H "$TENANT" | jq '.items | length')" -ge 1 ] && break; sleep 0.5; done
doc '"error":{"code"' 'curl -s $API/jobs/failed -H "$AUTH" -H "$TENANT"'
doc_set "JOB=\$(curl -s \$API/jobs/failed -H \"\$AUTH\" -H \"\$TENANT\" | jq -r '.items[0].id')"
doc '"tenant_id"' 'curl -s $API/jobs/failed -H "$AUTH"'
doc '"status":"queued"' 'curl -s -X POST $API/jobs/$JOB/retry -H "$AUTH" -H "$TENANT"'
doc_set "LONG=\$(curl -s -X POST \$API/jobs -H \"\$AUTH\" -H \"\$TENANT\" -H 'Content-Type: application/json' \\
  -d '{\"type\":\"diagnostics.sleep\",\"parameters\":{\"steps\":600,\"step_ms\":100}}' | jq -r .id)"
doc '"id"' 'curl -s -X POST $API/jobs/$LONG/cancel -H "$AUTH" -H "$TENANT"'
for _ in $(seq 1 60); do [ "$(curl -s $API/jobs/$LONG -H "$AUTH" -H "$TENANT" | jq -r .status)" = cancelled ] && break; sleep 0.5; done
doc 'cancelled' 'curl -s $API/jobs/$LONG -H "$AUTH" -H "$TENANT" | jq -r .status'
doc "status" 'psql "$PGURL" -c "SELECT status, count(*) FROM jobs GROUP BY status"'
doc "count" 'psql "$PGURL" -c "SELECT status, count(*) FROM email_deliveries GROUP BY status"'
doc "recipient" "psql \"\$PGURL\" -c \"SELECT recipient, error, attempt, sent_at FROM email_deliveries WHERE status = 'failed' ORDER BY sent_at DESC LIMIT 20\""
doc "heartbeat_at" "psql \"\$PGURL\" -c \"SELECT id, tenant_id, type, status, attempts, started_at, heartbeat_at FROM jobs WHERE status = 'processing' AND heartbeat_at < now() - interval '1 minute'\""
doc "error_code" "psql \"\$PGURL\" -c \"SELECT id, type, error_code, error_message, completed_at FROM jobs WHERE status = 'failed' ORDER BY completed_at DESC LIMIT 20\""
doc '"next_run_at"' "curl -s -X POST \$API/schedules -H \"\$AUTH\" -H \"\$TENANT\" -H 'Content-Type: application/json' \\
  -d '{\"name\":\"nightly smoke\",\"cron\":\"0 3 * * *\",\"time_zone\":\"Europe/London\",\"job\":{\"type\":\"diagnostics.sleep\",\"parameters\":{\"steps\":1}},\"missed_policy\":\"run_once\"}'"
doc "nightly smoke" 'curl -s $API/schedules -H "$AUTH" -H "$TENANT"'
doc "nightly smoke" 'psql "$PGURL" -c "SELECT name, cron, paused, last_run_at FROM schedules WHERE NOT deleted"'

echo "== 4.9 database"
doc "0005" 'psql "$PGURL" -c "SELECT name, applied_at FROM schema_migrations ORDER BY name"'
doc "iamalivetime" 'psql "$PGURL" -c "SELECT siloname, address, port, status, iamalivetime FROM cluster_members ORDER BY iamalivetime DESC"'
doc "count" "psql \"\$PGURL\" -c \"SELECT state, count(*) FROM pg_stat_activity WHERE datname = current_database() GROUP BY state\""
doc "candidates" "psql \"\$PGURL\" -c \"SELECT relname, pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 10\""
doc "candidate.status" 'psql "$PGURL" -c "SELECT tenant_id, kind, key, sum(n) FROM counters GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"'

doc "max_connections" './scripts/db-stats.sh'

echo "== 4.2-4.3 restarts under load"
# Clients read a candidate and their own identity in a loop; every answer must be 200.
statuses="$work/statuses"; : >"$statuses"; stop="$work/stop-load"
load() {
  while [ ! -e "$stop" ] && [ -d "$work" ]; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 "$API/candidates/$CANDIDATE" -H "$AUTH" -H "$TENANT" >>"$statuses"
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 "$API/auth/me" -H "$AUTH" >>"$statuses"
  done
}
load & l1=$!; load & l2=$!; load_pids="$l1 $l2"
doc "rolling restart done" './scripts/actorsctl rolling-restart'
doc "silo-1 ready" './scripts/actorsctl restart silo 1'
touch "$stop"; wait $l1 $l2; load_pids=""
total=$(wc -l <"$statuses"); bad=$(grep -vc '^200$' "$statuses")
if [ "$total" -gt 20 ] && [ "$bad" -eq 0 ]; then pass "rolling restart of 2 silos under load: $total requests, 0 failed"
else fail "rolling restart under load: $bad of $total requests failed" "$(sort "$statuses" | uniq -c | tr '\n' ' ')"; fi

echo "== 4.4 scale out and in"
doc "silo-3 ready" './scripts/actorsctl start silo 3'
doc "3" 'psql "$PGURL" -tAc "SELECT count(*) FROM cluster_members WHERE status = 3"'
doc "silo-3 stopped" './scripts/actorsctl stop silo 3'
check "two silos active after scale-in" '[ "$(psql "$PGURL" -tAc "SELECT count(*) FROM cluster_members WHERE status = 3")" = 2 ]'

echo "== logs an operator can use"
# eventually NAME COMMAND: COMMAND succeeds within 5 s (the console logger writes on its own thread).
eventually() { local _; for _ in $(seq 1 20); do eval "$2" >/dev/null 2>&1 && { pass "$1"; return; }; sleep 0.25; done; fail "$1"; }
curl -s -o /dev/null $API/candidates -H "Authorization: Bearer not-a-token"
curl -s -o /dev/null -X POST $API/auth/login -d username=admin@example.com -d password=wrong-password
eventually "a refused token is a warning with its reason (the runbook's query finds it)" \
  "jq -c 'select(.logger|test(\"Auth\")) | select(.level!=\"info\")' $LOGS/api.log | grep -q invalid_token"
eventually "a wrong password is a warning with its reason" \
  "jq -c 'select(.logger|test(\"Auth\")) | select(.level!=\"info\")' $LOGS/api.log | grep -q invalid_credentials"
for _ in 1 2 3 4 5; do curl -s -o /dev/null $API/metrics; curl -s -o /dev/null $SILO/metrics; curl -s -o /dev/null $API/readyz; done
curl -s -o /dev/null -H "X-Request-Id: trace-count-1" "$API/candidates?limit=1" -H "$AUTH" -H "$TENANT"
eventually "an ordinary request writes its line" "jq -c 'select(.request_id==\"trace-count-1\")' $LOGS/api.log | grep -q status_code"
check "an ordinary request writes at most 2 lines at information" \
  "[ \"\$(jq -s '[.[] | select(.request_id==\"trace-count-1\")] | length' $LOGS/api.log)\" -le 2 ]"
check "scrapes and probes write no line (the request after them is written, they are not)" \
  "[ -z \"\$(jq -c 'select((.endpoint // \"\") == \"/metrics\" or (.message|tostring|test(\"/metrics|/readyz\")))' $LOGS/api.log $LOGS/silo-1.log)\" ]"
TRACED=$(curl -s -X POST $API/jobs -H "$AUTH" -H "$TENANT" -H 'X-Request-Id: trace-job-77' -H 'Content-Type: application/json' \
  -d '{"type":"diagnostics.sleep","parameters":{"steps":1,"step_ms":1}}' | jq -r .id)
for _ in $(seq 1 60); do [ "$(curl -s $API/jobs/$TRACED -H "$AUTH" -H "$TENANT" | jq -r .status)" = completed ] && break; sleep 0.5; done
eventually "the request_id of a job's submit reaches the silo's lines of that job" \
  "jq -c 'select(.request_id==\"trace-job-77\")' $LOGS/silo-*.log | grep -q 'ended completed'"
check "job lines carry job_id and tenant_id" \
  "jq -e -s '[.[] | select(.message|tostring|test(\"^Job \"))] | length > 0 and all(has(\"job_id\") and has(\"tenant_id\"))' $LOGS/silo-*.log"
check "no (null) in any message" "! grep -q '(null)' $LOGS/*.log"

echo "== 4.8 key rotation"
OLD_TOKEN=$TOKEN
doc_set 'NEW_KEY=base64:$(head -c 48 /dev/urandom | base64 -w0)'
doc_set "OLD_KEY=\$(grep -o 'Auth__SigningKeys__0=.*' .data/stack.env | cut -d= -f2- | tr -d \"'\")"
doc "api ready" 'Auth__SigningKeys__0=$NEW_KEY Auth__SigningKeys__1=$OLD_KEY ./scripts/actorsctl restart api'
doc "200" "curl -s -o /dev/null -w '%{http_code}\n' \$API/auth/me -H \"\$AUTH\""
NEW_TOKEN=$(curl -s -X POST $API/auth/login -d username=admin@example.com -d password=admin123 | jq -r .access_token)
check "a new token is signed with the new key" '[ "$(echo "$NEW_TOKEN" | cut -d. -f1)" != "" ] && [ "$(curl -s -o /dev/null -w "%{http_code}" $API/auth/me -H "Authorization: Bearer $NEW_TOKEN")" = 200 ]'
"$ROOT/scripts/actorsctl" restart api >/dev/null 2>&1   # back to the stack's own key only
check "after removing the new key its tokens are refused" '[ "$(curl -s -o /dev/null -w "%{http_code}" $API/auth/me -H "Authorization: Bearer $NEW_TOKEN")" = 401 ]'
check "tokens of the stack's key still valid" '[ "$(curl -s -o /dev/null -w "%{http_code}" $API/auth/me -H "Authorization: Bearer $OLD_TOKEN")" = 200 ]'

echo "== 4.8b secrets key rotation"
KEYS_BEFORE="$(psql "$PGURL" -tAc "SELECT count(*) FROM data_protection_keys")"
doc "rotated: new key" './scripts/actorsctl rotate-keys'
doc "0" "psql \"\$PGURL\" -tAc \"SELECT count(*) FROM tenants WHERE smtp_password IS NOT NULL AND smtp_password NOT LIKE 'dp1:%'\""
check "the rotation added a Data Protection key" '[ "$(psql "$PGURL" -tAc "SELECT count(*) FROM data_protection_keys")" -gt "$KEYS_BEFORE" ]'

echo "== 5. backup, wipe, restore"
# More data so the comparison means something: candidates and jobs in the second tenant too.
ACME=$(curl -s -X POST $API/auth/login -d username=boss@acme.example -d password=change-me-now | jq -r .access_token)
for i in $(seq 1 20); do
  curl -s -o /dev/null -X POST $API/candidates -H "Authorization: Bearer $ACME" -H 'Content-Type: application/json' \
    -d "{\"company_name\":\"Acme supplier $i\",\"contact_email\":\"s$i@acme.example\",\"products\":[\"p$i\"]}"
done
curl -s -o /dev/null -X POST $API/jobs -H "Authorization: Bearer $ACME" -H 'Content-Type: application/json' -d '{"type":"diagnostics.sleep","parameters":{"steps":1}}'
for _ in $(seq 1 60); do [ "$(psql "$PGURL" -tAc "SELECT count(*) FROM jobs WHERE status IN ('queued','processing')")" = 0 ] && break; sleep 0.5; done
counts() { psql "$PGURL" -tAc "SELECT (SELECT count(*) FROM tenants)||' '||(SELECT count(*) FROM users)||' '||(SELECT count(*) FROM candidates)||' '||(SELECT count(*) FROM jobs)||' '||(SELECT count(*) FROM schedules)||' '||(SELECT count(*) FROM grain_state)"; }
before="$(counts)"
doc "backups/actors_actors_" './scripts/backup.sh'
dump="$(ls -1t backups/*.dump | head -1)"
doc "actors_actors_" 'ls -1t backups/ | head'
doc "api stopped" './scripts/actorsctl stop all'
psql "$PGURL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1
check "wipe emptied the database" '! psql "$PGURL" -tAc "SELECT count(*) FROM candidates" >/dev/null 2>&1'
if in_runbook './scripts/restore.sh backups/<file>.dump --yes --reset-membership'; then
  out="$(./scripts/restore.sh "$dump" --yes --reset-membership 2>&1)"; if [[ "$out" == *candidates* ]]; then pass "./scripts/restore.sh $dump"; else fail "restore" "$out"; fi
fi
after="$(counts)"
if [ "$before" = "$after" ]; then pass "row counts equal after restore (tenants users candidates jobs schedules grain_state: $after)"
else fail "row counts after restore: before [$before] after [$after]"; fi
doc "api ready" './scripts/actorsctl start all'
for _ in $(seq 1 60); do [ "$(curl -s -o /dev/null -w '%{http_code}' $API/candidates/$CANDIDATE -H "$AUTH" -H "$TENANT")" = 200 ] && break; sleep 0.5; done
check "restored candidate served by its grain" 'curl -s $API/candidates/$CANDIDATE -H "$AUTH" -H "$TENANT" | grep -q "Runbook Plumbing"'
check "restored tenant's list complete" '[ "$(curl -s "$API/candidates?limit=100" -H "Authorization: Bearer $ACME" | jq .total)" = 20 ]'
check "restored user signs in" '[ "$(curl -s -o /dev/null -w "%{http_code}" -X POST $API/auth/login -d username=boss@acme.example -d password=change-me-now)" = 200 ]'

echo "== stop"
pids="$(cat "$ACTORS_DATA_DIR"/run/*.pid 2>/dev/null)"
kill -TERM "$stack_pid"; wait "$stack_pid" 2>/dev/null; stack_pid=""
all_dead() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
check "Ctrl-C (SIGTERM) stopped every process" 'all_dead $pids && [ -z "$(ls "$ACTORS_DATA_DIR/run/" 2>/dev/null)" ] && ! curl -s $API/livez'
check "PostgreSQL stopped with the stack" '! psql "$PGURL" -tAc "SELECT 1" 2>/dev/null'

echo
if [ "$failed" -gt 0 ]; then
  printf 'runbook failures:\n'; printf '  - %s\n' "${failures[@]}"
  echo "--- last API log lines"; tail -20 "$ACTORS_DATA_DIR/logs/api.log" 2>/dev/null
fi
echo "runbook: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
