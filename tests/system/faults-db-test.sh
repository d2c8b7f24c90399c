#!/usr/bin/env bash
# Database faults under load: two silos and the API reach a private PostgreSQL through a delaying TCP proxy
# (FaultLoad proxy mode), PostgreSQL's data lives on a small loop-mounted ext4 volume made by the test, and the
# load client (tests/Actors.FaultLoad, --mix soak: creates, reads, approves, job batches, each write with an
# Idempotency-Key) runs throughout. In turn:
#   5. exhausted connections: another client takes every PostgreSQL connection for 30 s;
#   3. slow database: 200 ms added to every PostgreSQL round trip for 60 s;
#   4. full disk: the volume filled until writes fail, then freed.
# Each asserts: only successes or 503 with Retry-After reach clients, no request slower than the documented
# limit (ACTORS_FAULT_HANG_MS), writes refused while the fault lasts are absent, and service recovers by
# itself; at the end every acknowledged write is stored exactly once. Prints PASS/FAIL lines and
# "N passed, M failed". Env: ACTORS_SKIP_BUILD=1, ACTORS_FAULT_KEEP=1 (keep logs), ACTORS_FAULT_RATE (60 req/s),
# ACTORS_FAULT_ONLY ("exhaust slow disk": the scenarios to run).
STACK_NAME=faults-db
source "$(dirname "${BASH_SOURCE[0]}")/stack.sh"
[ "$(id -u)" -eq 0 ] || { log "faults-db-test.sh needs root (loop mount)"; exit 1; }

RATE="${ACTORS_FAULT_RATE:-60}"
HANG_MS="${ACTORS_FAULT_HANG_MS:-20000}"
ONLY="${ACTORS_FAULT_ONLY:-exhaust slow disk}"
runs() { [[ " $ONLY " == *" $1 "* ]]; }

# --- PostgreSQL on a small volume of its own ------------------------------------------------------------
vol="$work/vol"; img="$work/vol.img"
truncate -s 400M "$img"
mkfs.ext4 -q -m 0 "$img"
mkdir -p "$vol"
mount -o loop "$img" "$vol"
on_exit "umount -l '$vol' 2>/dev/null; rm -f '$img'"
pg_data="$vol/pg"
stack_pg
# The WAL lives off the volume (as on a production host with its own WAL disk): a full *data* disk makes
# PostgreSQL refuse writes (53100, "could not extend file"), while a full WAL disk makes it stop (PANIC),
# which is the PostgreSQL restart of fault-test.sh, not this scenario.
pg_stop "$pg_data"
mv "$pg_data/pg_wal" "$work/pg_wal" && ln -s "$work/pg_wal" "$pg_data/pg_wal"
pg_start "$pg_data" "$pg_port"
stack_proxy
stack_build_and_migrate
log "starting 2 silos (cluster $Orleans__ClusterId) and the API"
stack_silos 2
stack_api
stack_load --mix soak --clients 8 --rate "$RATE" --hang-ms "$HANG_MS" --http-timeout-s 60
wait_load_progress 20
phase base

# A candidate created before the faults: its grain is active, reads of it must keep answering.
known="$(api POST /candidates '{"company_name":"known","contact_email":"known@fault.example"}' known | jq -r .id)"
refused_probes=()   # company names of probes answered 503: they must not be stored

# --- 5. exhausted connections ---------------------------------------------------------------------------
if runs exhaust; then
  phase exhaust
  t_ex=$SECONDS
  rm -f "$work/held"
  dotnet "$LOAD_DLL" hold --connection-string "Host=127.0.0.1;Port=$pg_port;Database=actors;Username=actors;Password=actors" \
    --seconds 30 --ready-file "$work/held" >"$work/logs/hold.log" 2>&1 &
  hold_pid=$!; extra_pids+=("$hold_pid")
  deadline=$((SECONDS + 30))
  until [ -s "$work/held" ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
  held="$(cat "$work/held" 2>/dev/null || echo 0)"
  check "exhaust: the other client holds every connection" "$(ok [ "$held" -ge 290 ])" "$held connections, $(tail -n1 "$work/logs/hold.log")"
  # New writes need a connection: 503 with Retry-After, fast (no wait for a connection that never comes).
  n=0; st=""; worst=0
  deadline=$((SECONDS + 20))
  until [[ "$st" == 503+ra* ]] || [ $SECONDS -ge $deadline ]; do
    n=$((n + 1)); st="$(probe_create "exhaust-$n")"
    [[ "$st" == 503* ]] && refused_probes+=("probe-exhaust-$n")
  done
  check "exhaust: a new write answers 503 with Retry-After" "$(ok has_prefix "$st" 503+ra)" "after $n probes, last: $st s"
  rd="$(probe GET "/candidates/$known")"
  check "exhaust: a read of an active grain answers 200" "$(ok has_prefix "$rd" 200)" "$rd s"
  rz="$(probe GET /readyz)"
  check "exhaust: /readyz answers 503 with Retry-After" "$(ok has_prefix "$rz" 503+ra)" "$rz s"
  wait "$hold_pid" 2>/dev/null; hold_rc=$?
  released=$SECONDS
  check "exhaust: connections held for 30 s then released" "$(ok [ "$hold_rc" = 0 ])" "$(tail -n1 "$work/logs/hold.log")"
  n=0; st=""; deadline=$((SECONDS + 30))
  until [[ "$st" == 201* ]] || [ $SECONDS -ge $deadline ]; do n=$((n + 1)); st="$(probe_create "exhaust-after-$n")"; [[ "$st" == 201* ]] || sleep 0.2; done
  check "exhaust: writes succeed again by themselves" "$(ok has_prefix "$st" 201)" "$((SECONDS - released)) s after the release"
  wait_load_progress 20
  log "exhaust: $((SECONDS - t_ex)) s"
fi

# --- 3. slow database -----------------------------------------------------------------------------------
if runs slow; then
  phase slow-base
  t_base=$SECONDS; sleep_until $((t_base + 10)); base_s=$((SECONDS - t_base))
  phase slow
  t_sl=$SECONDS
  set_delay 200
  # The proxy reads the file every 50 ms: poll until a round trip through it takes 200 ms more.
  deadline=$((SECONDS + 5)); rt=0
  until awk -v t="$rt" 'BEGIN { exit !(t >= 0.2) }' || [ $SECONDS -ge $deadline ]; do
    rt="$( { TIMEFORMAT=%R; time "$PGBIN/psql" -h 127.0.0.1 -p "$proxy_port" -U actors -d actors -tAqc 'SELECT 1' >/dev/null; } 2>&1 )"
  done
  check "slow: a query through the proxy takes at least 200 ms more" "$(ok awk -v t="$rt" 'BEGIN { exit !(t >= 0.2) }')" "psql connect + SELECT 1: $rt s"
  n=0; worst=0; codes=""
  while [ $SECONDS -lt $((t_sl + 60)) ]; do
    n=$((n + 1)); st="$(probe_create "slow-$n")"; codes+="${st%% *} "
    # (a 503 here may come after the write committed: the slow probes are not counted as refused)
    worst="$(awk -v a="$worst" -v b="${st##* }" 'BEGIN { print (b > a ? b : a) }')"
    sleep 1
  done
  bad="$(tr ' ' '\n' <<<"$codes" | grep -cvE '^(201|503\+ra|)$' || true)"
  check "slow: probe writes answer 201 or 503 with Retry-After" "$(ok [ "$bad" = 0 ])" "$n probes: $(tr ' ' '\n' <<<"$codes" | sort | uniq -c | awk 'NF == 2 { printf "%s×%s ", $2, $1 }')"
  check "slow: no probe slower than the limit" "$(ok awk -v t="$worst" -v l="$HANG_MS" 'BEGIN { exit !(t * 1000 <= l) }')" "longest $worst s"
  set_delay 0
  healed=$SECONDS
  phase slow-heal
  sleep_until $((healed + 10))
  phase slow-after
  t_after=$SECONDS; sleep_until $((t_after + 10)); after_s=$((SECONDS - t_after))
  phase settle
  log "slow: $((SECONDS - t_sl)) s"
fi

# --- 4. full disk ---------------------------------------------------------------------------------------
if runs disk; then
  phase disk
  t_dk=$SECONDS
  # Fill the volume: dd stops at ENOSPC.
  dd if=/dev/zero of="$vol/filler" bs=1M status=none 2>/dev/null || true
  log "disk: volume filled ($(df -h --output=avail "$vol" | tail -1 | tr -d ' ') left)"
  # PostgreSQL first fills the free space inside its pages (21-48 s here at this load).
  n=0; st=""; deadline=$((SECONDS + 120))
  until [[ "$st" == 503* ]] || [ $SECONDS -ge $deadline ]; do
    n=$((n + 1)); st="$(probe_create "disk-$n")"
    [[ "$st" == 503* ]] && refused_probes+=("probe-disk-$n") || sleep 0.2
  done
  check "disk: writes fail with 503 and Retry-After once the disk is full" "$(ok has_prefix "$st" 503+ra)" "after $n probes ($((SECONDS - t_dk)) s), last: $st s"
  rd="$(probe GET "/candidates/$known")"
  check "disk: a read of an active grain answers 200" "$(ok has_prefix "$rd" 200)" "$rd s"
  full_end=$((SECONDS + 15))
  codes=""
  while [ $SECONDS -lt $full_end ]; do
    n=$((n + 1)); st="$(probe_create "disk-$n")"; codes+="${st%% *} "
    [[ "$st" == 503* ]] && refused_probes+=("probe-disk-$n")
    sleep 1
  done
  bad="$(tr ' ' '\n' <<<"$codes" | grep -cvE '^(201|503\+ra|)$' || true)"
  check "disk: while full, writes answer 503 with Retry-After (or 201)" "$(ok [ "$bad" = 0 ])" "$(tr ' ' '\n' <<<"$codes" | sort | uniq -c | awk 'NF == 2 { printf "%s×%s ", $2, $1 }')"
  rm -f "$vol/filler"
  freed=$SECONDS
  phase disk-freed
  n=0; st=""; deadline=$((SECONDS + 90))
  until [[ "$st" == 201* ]] || [ $SECONDS -ge $deadline ]; do n=$((n + 1)); st="$(probe_create "disk-after-$n")"; [[ "$st" == 201* ]] || sleep 0.5; done
  check "disk: writes succeed again once space returns" "$(ok has_prefix "$st" 201)" "$((SECONDS - freed)) s after the space returned"
  wait_load_progress 20
  phase settle2
  log "disk: $((SECONDS - t_dk)) s"
fi

# --- checks ---------------------------------------------------------------------------------------------
stop_load
check_writes
probes="$(printf "'%s'," "${refused_probes[@]:-}" | sed "s/'',//g; s/,$//")"
if [ -n "$probes" ] && [ "$probes" != "''" ]; then
  present="$(psql_q -c "SELECT count(*) FROM candidates WHERE tenant_id = 'fault' AND company_name IN ($probes)")"
  check "probe writes refused with 503 while connections or disk were exhausted are absent" "$(ok [ "$present" = 0 ])" \
    "$present of $(tr ',' '\n' <<<"$probes" | wc -l) present"
fi
check_phases_clean $(jq -r '.phases | keys[]' "$summary")
if runs slow; then
  base_ok="$(jqs '.phases["slow-base"].ok // 0')"; after_ok="$(jqs '.phases["slow-after"].ok // 0')"
  check "slow: throughput back within 10 s of the heal" \
    "$(ok awk -v b="$base_ok" -v bs="$base_s" -v a="$after_ok" -v as="$after_s" 'BEGIN { exit !(a / as >= 0.9 * b / bs) }')" \
    "$(awk -v b="$base_ok" -v bs="$base_s" -v a="$after_ok" -v as="$after_s" -v s="$(jqs '.phases.slow.ok // 0')" 'BEGIN { printf "%.0f req/s before, %.0f during the 60 s, %.0f from 10 s after", b / bs, s / 60, a / as }')"
fi
check_api_no_5xx
log "phases: $(jq -c '.phases | to_entries | map({(.key): {ok: .value.ok, "503": .value.unavailable503, fail: .value.failures, longest_ms: .value.max_latency_ms, gap_ms: .value.max_failure_gap_ms}}) | add' "$summary")"
log "statuses: $(jq -c '[.phases[] | .statuses | to_entries[]] | group_by(.key) | map({(.[0].key): (map(.value) | add)}) | add' "$summary")"
log "total $(elapsed) s"
finish
