#!/usr/bin/env bash
# Fault test: three silos, the API and a private PostgreSQL under a steady write load (tests/Actors.FaultLoad:
# clients creating candidates, each with a unique sequence number as Idempotency-Key and in company_name).
#   a. SIGKILL a random silo and restart it, 10 times: only 503s with Retry-After may reach clients;
#   b. rolling restart (SIGTERM each silo in turn): no failed request at all, not even a 503;
#   c. PostgreSQL stopped and started: 503 with Retry-After while it is down, success after;
#   d. diagnostics.sleep jobs and a cron schedule running across all of it complete exactly once.
# At the end every acknowledged sequence number is in `candidates` exactly once (Actors.FaultLoad verify, against
# the database). The stack is started as every script starts it (tests/system/stack.sh, scripts/stack.sh).
# Prints one PASS/FAIL line per check and "N passed, M failed"; exits non-zero on any failure.
# Env: ACTORS_SKIP_BUILD=1 (already built), ACTORS_FAULT_KILLS (10), ACTORS_FAULT_CLIENTS (4),
#      ACTORS_FAULT_KEEP=1 (keep the work folder with all logs; it is always kept on failure).
STACK_NAME=fault
source "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

KILLS="${ACTORS_FAULT_KILLS:-10}"
CLIENTS="${ACTORS_FAULT_CLIENTS:-4}"

stack_pg
stack_build_and_migrate
log "starting 3 silos (cluster $Orleans__ClusterId) and the API"
stack_silos 3
stack_api '{"requests_per_second":5000,"max_concurrent_jobs":8}'

submit_job() { # key steps step_ms
  api POST /jobs "{\"type\":\"diagnostics.sleep\",\"parameters\":{\"steps\":$2,\"step_ms\":$3},\"max_attempts\":20}" "$1" | jq -r .id >>"$work/submitted-jobs.txt"
}
restart_and_rejoin() { # index: starts silo i again and waits until it serves and the cluster has 3 Active rows
  start_silo "$1"
  wait_silo_ready "$1" && wait_active 3
}

# --- load, jobs and schedule -----------------------------------------------------------------------------
stack_load --clients "$CLIENTS" --pause-ms 40
for j in 1 2 3 4 5 6; do submit_job "fault-job-pre-$j" 10 1000; done
schedule_id="$(api POST /schedules '{"name":"fault every minute","cron":"* * * * *","time_zone":"UTC","job":{"type":"diagnostics.sleep","parameters":{"steps":5,"step_ms":500}},"missed_policy":"run_all","max_catch_up":10,"overlap_policy":"allow"}' | jq -r .id)"
log "load running ($CLIENTS clients), 6 jobs and schedule $schedule_id submitted"
# Each client may have one request in flight that it started in the previous phase, so CLIENTS + 1 more stored
# writes prove a write started in the current one.
wait_load_progress

# --- a. SIGKILL ------------------------------------------------------------------------------------------
phase kill
phase_a=$SECONDS; kill_times=()
for k in $(seq 1 "$KILLS"); do
  i=$((RANDOM % 3)); t=$SECONDS
  kill -KILL "${silo_pid[$i]}"; wait "${silo_pid[$i]}" 2>/dev/null || true
  restart_and_rejoin "$i" || { check "kill $k: silo $i back and 3 active silos" 1; break; }
  kill_times+=("$((SECONDS - t))")
  [ $((k % 3)) -eq 0 ] && submit_job "fault-job-kill-$k" 10 1000
  if [ "$k" -eq 5 ]; then api POST "/schedules/$schedule_id/trigger" >/dev/null; fi
done
phase_a=$((SECONDS - phase_a))
log "phase a: $KILLS kills in ${phase_a}s (per kill: ${kill_times[*]} s)"

# --- b. rolling restart ----------------------------------------------------------------------------------
phase rolling
wait_load_progress
phase_b=$SECONDS
for i in 0 1 2; do
  kill -TERM "${silo_pid[$i]}"
  wait_exit "${silo_pid[$i]}" 60 || { check "silo $i stops within 60 s of SIGTERM" 1; kill -KILL "${silo_pid[$i]}"; }
  restart_and_rejoin "$i" || check "rolling: silo $i back and 3 active silos" 1
done
phase_b=$((SECONDS - phase_b))
log "phase b: rolling restart in ${phase_b}s"

# --- c. PostgreSQL restart -------------------------------------------------------------------------------
phase settle
wait_load_progress
phase postgres
phase_c=$SECONDS
as_pg "$PGBIN/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null
down_status=""; n=0; deadline=$((SECONDS + 30))
until [ "$down_status" = "503+ra" ] || [ $SECONDS -ge $deadline ]; do
  n=$((n + 1)); down_status="$(probe_create "down-$n" | cut -d' ' -f1)"; [ "$down_status" = "503+ra" ] || sleep 0.2
done
ready_down="$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$API/readyz" || echo 000)"
check "postgres down: a new write answers 503 with Retry-After" "$(ok [ "$down_status" = "503+ra" ])" "last answer $down_status"
check "postgres down: /readyz answers 503" "$(ok [ "$ready_down" = 503 ])" "got $ready_down"
pg_start "$pg_data" "$pg_port"
up_status=""; deadline=$((SECONDS + 60))
until [ "$up_status" = 201 ] || [ $SECONDS -ge $deadline ]; do
  n=$((n + 1)); up_status="$(probe_create "up-$n" | cut -d' ' -f1)"; [ "$up_status" = 201 ] || sleep 0.5
done
check "postgres back: writes succeed again" "$(ok [ "$up_status" = 201 ])" "$((SECONDS - phase_c))s after the stop"
wait_http "$API/readyz" 60 && ready_up=200 || ready_up=503
check "postgres back: /readyz answers 200" "$(ok [ "$ready_up" = 200 ])"
phase_c=$((SECONDS - phase_c))
log "phase c: PostgreSQL restart in ${phase_c}s"
phase after
wait_load_progress $((CLIENTS + 1))

# --- stop the load; jobs and schedule settle -------------------------------------------------------------
stop_load
phase_d=$SECONDS
# Reminder ticks may be missed while silos die; the schedule's next tick after the faults must catch up
# every occurrence (run_all). Wait for that tick, then pause it and let the jobs finish.
# At least one cron occurrence must be due: on a quiet machine every fault can end within the minute
# the schedule was created in, and waiting for "this minute" would then wait for nothing.
faults_end="$(psql_q -c "SELECT greatest(date_trunc('minute', now()), date_trunc('minute', created_at) + interval '1 minute') FROM schedules WHERE id = '$schedule_id'")"
schedule_caught_up() { psql_q -c "SELECT count(*) FROM schedules WHERE id = '$schedule_id' AND last_run_at >= '$faults_end'"; }
deadline=$((SECONDS + 150))
until [ "$(schedule_caught_up)" = 1 ] || [ $SECONDS -ge $deadline ]; do sleep 1; done
api POST "/schedules/$schedule_id/pause" >/dev/null
wait_jobs_settled 150
phase_d=$((SECONDS - phase_d))
log "schedule caught up and jobs settled ${phase_d}s after the load stopped"

# --- checks ----------------------------------------------------------------------------------------------
check "load acknowledged writes during kills, rolling restart and after PostgreSQL came back" \
  "$(ok [ "$(jqs '[.phases.kill.ok, .phases.rolling.ok, .phases.after.ok] | map(. // 0) | min')" -gt 0 ])" "$(jqs .acked) acknowledged in all"
for p in kill rolling postgres; do
  f="$(jqs ".phases.$p.failures // 0")"
  check "phase $p: clients saw no failure other than 503 with Retry-After" "$(ok [ "$f" = 0 ])" \
    "$f failures, $(jqs ".phases.$p.unavailable503 // 0") 503s$( [ "$f" = 0 ] || printf '; %s' "$(jqs ".phases.$p.failure_samples[:3] | join(\" | \")")")"
done
r503="$(jqs '.phases.rolling.unavailable503 // 0')"
rfail="$(jqs '.phases.rolling.failures // 0')"
check "phase rolling: zero failed requests (no 503 either)" "$(ok [ "$((r503 + rfail))" = 0 ])" "$r503 503s, $rfail failures"
other="$(jqs '[.phases[] | .failures] | add')"
check "no client failure in any phase (warmup, settle, after included)" "$(ok [ "$other" = 0 ])" "$other"
silo_logs=(); for f in "$work"/logs/silo*.log; do silo_logs+=(--silo-log "$f"); done
verify --dir "$work/load" --submitted-jobs "$work/submitted-jobs.txt" --schedule "$schedule_id" "${silo_logs[@]}" --api-log "$work/logs/api.log"

# --- report ----------------------------------------------------------------------------------------------
gap="$(jqs '[.phases[] | .max_failure_gap_ms] | max')"
interval="$(jqs '[.phases[] | .max_success_interval_ms] | max')"
log "phases (ms): $(jq -c '.phases | to_entries | map({(.key): {ok: .value.ok, "503": .value.unavailable503, fail: .value.failures, gap: .value.max_failure_gap_ms, interval: .value.max_success_interval_ms, latency: .value.max_latency_ms}}) | add' "$summary")"
log "longest client-visible gap: ${gap} ms from a failure to the next success, ${interval} ms between two successes of one client"
log "durations: kills ${phase_a}s (${kill_times[*]}), rolling ${phase_b}s, postgres ${phase_c}s, jobs settle ${phase_d}s, total $(elapsed)s"
finish
