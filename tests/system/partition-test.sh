#!/usr/bin/env bash
# Partition: three silos and the API under load (tests/Actors.FaultLoad --mix soak); silo 2 runs in a network
# namespace the test makes, joined to the host by two veth pairs: one carries the cluster (silo-to-silo and
# gateway traffic; silos 0 and 1 advertise the host end of it), the other PostgreSQL (which listens on its
# host end too). Traffic stays on loopback and on these pairs. The silos probe each other with
# Orleans__ProbeTimeoutSeconds=2 and Orleans__NumMissedProbesLimit=2 (Orleans' 5 and 3 would suppress death
# votes for a minute after the last message, longer than the cut). In turn, 30 s each:
#   b. cut from PostgreSQL (the database pair set down), peers still reachable: it stays in the cluster;
#      calls that need its storage answer 503 with Retry-After; after the heal it serves again;
#   a. cut from its peers (the cluster pair set down), PostgreSQL still reachable: the cluster declares silo 2
#      dead within the cut and its grains answer from the other silos; a job running on silo 2 is then
#      cancelled through the API (a new activation elsewhere writes it), and the stale activation's next
#      heartbeat write is refused by the version check (the stored row keeps the new activation's version and
#      status); when the cut heals silo 2 finds itself dead and stops itself; the test starts it again (as a
#      supervisor would) and it joins as a new generation.
# Asserts: only successes or 503 with Retry-After reach clients, none slower than the limit; every
# acknowledged write stored exactly once; jobs running across the cuts complete once and never run on two
# silos at the same time. Prints PASS/FAIL lines and "N passed, M failed".
# Env: ACTORS_SKIP_BUILD=1, ACTORS_FAULT_KEEP=1, ACTORS_FAULT_RATE (60 req/s), ACTORS_FAULT_HANG_MS (20000).
STACK_NAME=partition
source "$(dirname "${BASH_SOURCE[0]}")/stack.sh"
[ "$(id -u)" -eq 0 ] || { log "partition-test.sh needs root (network namespaces)"; exit 1; }
RATE="${ACTORS_FAULT_RATE:-60}"
HANG_MS="${ACTORS_FAULT_HANG_MS:-20000}"

# --- the namespace and its two links --------------------------------------------------------------------
ns="actp$$"; net=$((200 + $$ % 50))
cl_host="ac$$h"; cl_ns="ac$$n"; db_host="ad$$h"; db_ns="ad$$n"
cl_a="10.$net.1.1"; cl_b="10.$net.1.2"; db_a="10.$net.2.1"; db_b="10.$net.2.2"
ip netns add "$ns"
on_exit "ip route del unreachable 10.$net.0.0/16 2>/dev/null; ip link del '$cl_host' 2>/dev/null; ip link del '$db_host' 2>/dev/null; ip netns del '$ns'"
# While a link is down its /30 route is gone: this keeps packets for the namespace from the default route.
ip route add unreachable "10.$net.0.0/16" metric 4000
ip -n "$ns" link set lo up
for pair in "$cl_host $cl_ns $cl_a $cl_b" "$db_host $db_ns $db_a $db_b"; do
  set -- $pair
  ip link add "$1" type veth peer name "$2"
  ip link set "$2" netns "$ns"
  ip addr add "$3/30" dev "$1"; ip link set "$1" up
  ip -n "$ns" addr add "$4/30" dev "$2"; ip -n "$ns" link set "$2" up
done

stack_pg
# PostgreSQL also listens on the database link's host end, for silo 2 only.
echo "listen_addresses = '127.0.0.1,$db_a'" >>"$pg_data/postgresql.conf"
echo "host all all $db_b/32 scram-sha-256" >>"$pg_data/pg_hba.conf"
pg_stop "$pg_data"; pg_start "$pg_data" "$pg_port"
stack_build_and_migrate
# Failure detection within the 30 s cut: votes are suppressed for 4 x 2 s x 2 = 16 s after the last message.
export Orleans__ProbeTimeoutSeconds=2 Orleans__NumMissedProbesLimit=2
job_debug="Logging__LogLevel__Actors.Grains.Jobs.JobGrain=Debug"
silo_env[0]="Orleans__AdvertisedAddress=$cl_a $job_debug"
silo_env[1]="Orleans__AdvertisedAddress=$cl_a $job_debug"
silo_env[2]="Orleans__AdvertisedAddress=$cl_b $job_debug ConnectionStrings__Actors=Host=$db_a;Port=$pg_port;Database=actors;Username=actors;Password=actors"
silo_prefix[2]="ip netns exec $ns"
silo_addr[2]="$cl_b"
log "starting 3 silos (silo 2 in namespace $ns at $cl_b) and the API"
stack_silos 3
stack_api
stack_load --mix soak --clients 8 --rate "$RATE" --hang-ms "$HANG_MS" --http-timeout-s 60
wait_load_progress 20
phase base
member_status() { psql_q -c "SELECT status FROM cluster_members WHERE deploymentid = '$Orleans__ClusterId' AND address = '$1' AND port = $2 ORDER BY generation DESC LIMIT 1"; }

# --- b. cut from PostgreSQL -----------------------------------------------------------------------------
phase cut-db
t_cut=$SECONDS
ip link set "$db_host" down
sleep_until $((t_cut + 30))
check "database: the silo cut from PostgreSQL stays in the cluster" "$(ok kill -0 "${silo_pid[2]}")" "$(active_silos) active"
ip link set "$db_host" up
phase heal-db
healed=$SECONDS
ready=1; wait_http "http://$cl_b:${silo_http[2]}/readyz" 60 && ready=0
check "database: after the heal the silo answers /readyz 200" "$(ok [ "$ready" = 0 ])" "$((SECONDS - healed))s after the heal"
wait_active 3 60 || true
wait_load_progress 20

# --- a. cut from the peers ------------------------------------------------------------------------------
phase before-peers
# Jobs of 20 s each, started before the cut: some run on silo 2.
job_ids=()
for j in $(seq 1 12); do
  job_ids+=("$(api POST /jobs '{"type":"diagnostics.sleep","parameters":{"steps":20,"step_ms":1000},"max_attempts":20}' "part-job-$j" | jq -r .id)")
done
# A long job running on silo 2, for its stale activation: submitted until one starts there (placement picks
# the silo), its first heartbeat stored (status processing). The others are cancelled at once.
job_started_on() { grep -lF "\"message\":\"Job $1 (diagnostics.sleep) of tenant fault started" "$work"/logs/silo*.log 2>/dev/null | head -1; }
stale_job=""; other_long=()
for j in $(seq 1 20); do
  id="$(api POST /jobs '{"type":"diagnostics.sleep","parameters":{"steps":240,"step_ms":500},"max_attempts":1}' "part-stale-$j" | jq -r .id)"
  deadline=$((SECONDS + 10)); f=""
  until [ -n "$f" ] || [ $SECONDS -ge $deadline ]; do f="$(job_started_on "$id")"; [ -n "$f" ] || sleep 0.2; done
  if [[ "$f" == */silo2.0.log ]]; then stale_job="$id"; break; fi
  other_long+=("$id")
done
for id in "${other_long[@]:-}"; do [ -n "$id" ] && api POST "/jobs/$id/cancel" >/dev/null; done
deadline=$((SECONDS + 10))
until [ -z "$stale_job" ] || [ "$(psql_q -c "SELECT status FROM jobs WHERE id = '$stale_job'")" = processing ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
log "peers: job $stale_job runs on silo 2 (after ${#other_long[@]} placed elsewhere)"
known=()
while read -r id; do known+=("$id"); done < <(psql_q -c "SELECT id FROM candidates WHERE tenant_id = 'fault' ORDER BY created_at LIMIT 60")

phase cut-peers
t_cut=$SECONDS
ip link set "$cl_host" down
deadline=$((t_cut + 30)); st=""
until [ "$st" = 6 ] || [ $SECONDS -ge $deadline ]; do st="$(member_status "$cl_b" "${silo_port[2]}")"; [ "$st" = 6 ] || sleep 0.2; done
dead_after=$((SECONDS - t_cut))
check "peers: the cluster declares the cut silo dead within the 30 s cut" "$(ok [ "$st" = 6 ])" "status $st ${dead_after}s after the cut"
check "peers: the other two silos stay active" "$(ok [ "$(active_silos)" = 2 ])" "$(active_silos) active"
phase cut-peers-dead
# The stale activation: cancelled through the API, the job's grain activates on silo 0 or 1, which finds no run
# and writes the row cancelled; silo 2, still running it, writes its heartbeat (every 2 s) on the version it read.
stale_ok=1; stale_detail="no job ran on silo 2"
if [ -n "$stale_job" ]; then
  v_before="$(psql_q -c "SELECT version FROM jobs WHERE id = '$stale_job'")"
  cancelled="$(api POST "/jobs/$stale_job/cancel" | jq -r .status)"
  v_cancel="$(psql_q -c "SELECT version || ' ' || status FROM jobs WHERE id = '$stale_job'")"
  # Refused writes: DomainGrainStorage's write error for this grain, an InconsistentStateException.
  refused() { grep -F '"event":"LogErrorStorageWriteFailed"' "$work/logs/silo2.0.log" 2>/dev/null | grep -F '"exception":"InconsistentStateException' | grep -ciF "\"grain_id\":\"job/${stale_job//-/}" || true; }
  deadline=$((SECONDS + 10))
  until [ "$(refused)" -gt 0 ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
  n_refused="$(refused)"
  # Two more heartbeat periods: the row must still be the new activation's.
  t_seen=$SECONDS; sleep_until $((t_seen + 4))
  v_after="$(psql_q -c "SELECT version || ' ' || status FROM jobs WHERE id = '$stale_job'")"
  alive=no; kill -0 "${silo_pid[2]}" 2>/dev/null && alive=yes
  [ "$cancelled" = cancelled ] && [ "$n_refused" -gt 0 ] && [ "$v_after" = "$v_cancel" ] && [ "${v_cancel#* }" = cancelled ] && stale_ok=0
  stale_detail="job $stale_job: version $v_before processing before, '$v_cancel' after the cancel on another silo, '$v_after' 4 s after silo 2's first refused heartbeat; $n_refused refused writes in silo 2's log (silo 2 alive: $alive)"
  # The race this check can lose (docs/RELIABILITY.md): silo 2 read the membership table between its death and
  # its next heartbeat and stopped itself, so no stale write was tried. The row must still be the new activation's.
  if [ "$n_refused" = 0 ] && [ "$alive" = no ] && [ "$cancelled" = cancelled ] && [ "$v_after" = "$v_cancel" ] && [ "${v_cancel#* }" = cancelled ]; then
    stale_ok=0
    stale_detail="job $stale_job: silo 2 stopped itself before its next heartbeat, so no stale write was tried; the row stayed '$v_cancel' (version $v_before before)"
  fi
fi
check "peers: the stale activation's write is refused by the version check (the new activation's row stays)" "$(ok [ "$stale_ok" = 0 ])" "$stale_detail"
reads=0; bad=""
for id in "${known[@]:0:30}"; do
  r="$(probe GET "/candidates/$id")"; reads=$((reads + 1))
  has_prefix "$r" 200 || bad+="$r; "
done
check "peers: once it is dead, candidates created before the cut answer 200 (those of silo 2 from another silo)" "$(ok [ -z "$bad" ])" "$reads reads${bad:+, failed: $bad}"
sleep_until $((t_cut + 30))
stopped=1; kill -0 "${silo_pid[2]}" 2>/dev/null || stopped=0
ip link set "$cl_host" up
healed=$SECONDS
phase heal-peers
# It learns that it is dead at its next read of the table (every minute: up to about 60 s after the death,
# 5-48 s after the heal here), so the wait allows 90 s.
if [ "$stopped" != 0 ]; then wait_exit "${silo_pid[2]}" 90 && stopped=0; fi
check "peers: the cut silo stops itself once it finds itself dead" "$(ok [ "$stopped" = 0 ])" \
  "$((SECONDS - healed))s after the heal: $(grep -hoE '"message":"[^"]*(declared dead|Dead|kill|Killing)[^"]{0,80}' "$work"/logs/silo2.0.log | head -1 | cut -c1-160)"
start_silo 2
wait_load_progress 20
wait_silo_ready 2 && wait_active 3 && rejoined=0 || rejoined=1
check "peers: after the heal the silo, started again, joins as a new generation" "$(ok [ "$rejoined" = 0 ])" "3 active $((SECONDS - healed))s after the heal"
phase after
t_after=$SECONDS; sleep_until $((t_after + 5))

# --- checks ---------------------------------------------------------------------------------------------
stop_load
ids_sql="$(printf "'%s'," "${job_ids[@]}")"; ids_sql="${ids_sql%,}"
wait_jobs_settled 120
check_writes
check_phases_clean $(jq -r '.phases | keys[]' "$summary")
jobs_done="$(psql_q -c "SELECT count(*) FROM jobs WHERE id IN ($ids_sql) AND status = 'completed'")"
check "jobs: the long jobs all completed" "$(ok [ "$jobs_done" = "${#job_ids[@]}" ])" \
  "$jobs_done of ${#job_ids[@]}; attempts $(psql_q -c "SELECT string_agg(attempts::text, ',' ORDER BY created_at) FROM jobs WHERE id IN ($ids_sql)")"
# Runs from the silo logs: "started" (Debug) to its end or retry line, or to the log's last line if the process
# stopped first. Two runs of one job on two silo logs must not overlap.
for f in "$work"/logs/silo*.log; do
  last="$(tail -n1 "$f" | jq -r '.timestamp' 2>/dev/null || true)"
  grep -F '"message":"Job ' "$f" | jq -r --arg f "${f##*/}" --arg last "$last" \
    'select(.message | test("started, attempt|ended|failed with")) | [(.message | capture("Job (?<id>[0-9a-f-]{36})").id), .timestamp, (if (.message | test("started")) then "start" else "end" end), $f, $last] | @tsv' 2>/dev/null
done | sort -k1,1 -k2,2 >"$work/runs.tsv"
overlaps="$(awk -F'\t' '
  { if ($3 == "start") { open[$1 SUBSEP $4] = $2; last[$1 SUBSEP $4] = $5 }
    else if (($1 SUBSEP $4) in open) { runs[$1] = runs[$1] " " open[$1 SUBSEP $4] "/" $2; delete open[$1 SUBSEP $4] } }
  END {
    for (k in open) { split(k, p, SUBSEP); runs[p[1]] = runs[p[1]] " " open[k] "/" last[k] }
    n = 0
    for (j in runs) {
      m = split(substr(runs[j], 2), r, " ")
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) {
        split(r[a], x, "/"); split(r[b], y, "/")
        if (x[1] < y[2] && y[1] < x[2]) n++
      }
    }
    print n + 0
  }' "$work/runs.tsv")"
starts="$(awk -F'\t' '$3 == "start"' "$work/runs.tsv" | wc -l)"
twice="$(cat "$work"/logs/silo*.log | grep -F ' ended completed' | grep -oE 'Job [0-9a-f-]{36}' | sort | uniq -d | wc -l)"
check "jobs: no job ran on two silos at the same time, none completed twice" "$([ "$overlaps" = 0 ] && [ "$twice" = 0 ] && [ "$starts" -gt 0 ]; echo $?)" \
  "$starts runs started, $overlaps overlapping, $twice completed twice"
check_api_no_5xx
log "phases: $(jq -c '.phases | to_entries | map({(.key): {ok: .value.ok, "503": .value.unavailable503, fail: .value.failures, longest_ms: .value.max_latency_ms, gap_ms: .value.max_failure_gap_ms}}) | add' "$summary")"
log "statuses: $(jq -c '[.phases[] | .statuses | to_entries[]] | group_by(.key) | map({(.[0].key): (map(.value) | add)}) | add' "$summary")"
log "total $(elapsed) s"
finish
