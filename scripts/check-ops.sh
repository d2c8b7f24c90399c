#!/usr/bin/env bash
# Checks the ops kit in ops/: Prometheus config, alert rules and their unit tests, the Grafana
# dashboard (valid JSON, every panel query valid PromQL), and the Alertmanager example (if amtool).
#
#   scripts/check-ops.sh                                 # static checks only
#   scripts/check-ops.sh http://127.0.0.1:8080/metrics   # also `promtool check metrics` on live output
#                                                        # (more URLs allowed, e.g. the silo's :8081)
#
# Installs promtool (Debian package `prometheus`) when missing. The package would start a
# prometheus service on install: a policy-rc.d that denies service starts is put in place for the
# install (and removed afterwards if it was ours), so nothing is left running or listening on 9090.
# Exits non-zero on the first failure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

install_promtool() {
  command -v promtool >/dev/null 2>&1 && return 0
  log "promtool not found: installing Debian's prometheus package (promtool only is used)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  local ours=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod 755 /usr/sbin/policy-rc.d
    ours=true
  fi
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus)
  local rc=0
  $sudo "${apt[@]}" >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo "${apt[@]}" >/dev/null; } || rc=$?
  [ "$ours" = true ] && $sudo rm -f /usr/sbin/policy-rc.d
  # Belt and braces: where a service manager started it anyway, stop and disable it.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  [ "$rc" -eq 0 ] && command -v promtool >/dev/null 2>&1
}

failures=0
step() { # step TITLE COMMAND...
  local title="$1"; shift
  if "$@"; then log "ok: $title"; else log "FAILED: $title"; failures=$((failures + 1)); fi
}

install_promtool || { log "FAILED: could not install promtool"; exit 1; }
log "$(promtool --version 2>&1 | head -n 1)"

step "promtool check config" promtool check config ops/prometheus/prometheus.yml
step "promtool check rules" promtool check rules ops/prometheus/alerts.yml
step "promtool test rules" promtool test rules ops/prometheus/alerts.test.yml

# The example Alertmanager config, when amtool is there (Debian: prometheus-alertmanager).
if command -v amtool >/dev/null 2>&1; then
  step "amtool check-config" amtool check-config ops/alertmanager/alertmanager.yml
else
  log "skipped: amtool check-config (apt-get install prometheus-alertmanager to check it)"
fi

# The ops shell scripts at least parse.
scripts_parse() { local f; for f in scripts/backup.sh scripts/restore.sh scripts/db-stats.sh scripts/check-ops.sh; do bash -n "$f" || return 1; done; }
step "backup/restore/db-stats scripts parse (bash -n)" scripts_parse

# Every alert has severity, summary, description and a runbook anchor in docs/OPERATIONS.md.
alert_fields() {
  python3 - ops/prometheus/alerts.yml <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.split(r'\n(?=[ \t]*- alert: )', text)[1:]
bad = 0
for b in blocks:
    name = re.search(r'- alert: (\S+)', b).group(1)
    for field in ("severity:", "summary:", "description:"):
        if field not in b:
            print(f"{name}: no {field[:-1]}"); bad += 1
    m = re.search(r'runbook: "docs/OPERATIONS\.md#alert-([a-z0-9-]+)"', b)
    if not m or m.group(1) != name.lower():
        print(f"{name}: runbook must be docs/OPERATIONS.md#alert-{name.lower()}"); bad += 1
    if f"alertname: {name}\n" not in open("ops/prometheus/alerts.test.yml").read():
        print(f"{name}: no unit test in alerts.test.yml"); bad += 1
print(f"{len(blocks)} alerts checked", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
step "alerts carry severity, summary, description, runbook and a unit test" alert_fields

# The dashboard: valid JSON, datasource templated, and every query valid PromQL (checked by
# promtool as recording rules, with Grafana's $__ variables replaced).
dashboard_json() { python3 -m json.tool ops/grafana/actors-dashboard.json >/dev/null; }
step "dashboard is valid JSON" dashboard_json
dashboard_queries() {
  local tmp; tmp="$(mktemp -d)"
  python3 - ops/grafana/actors-dashboard.json "$tmp/queries.yml" <<'PY' || { rm -rf "$tmp"; return 1; }
import json, sys
d = json.load(open(sys.argv[1]))
assert any(v.get("type") == "datasource" and v.get("query") == "prometheus" for v in d["templating"]["list"]), "no templated Prometheus datasource"
rules, n = [], 0
def walk(ps):
    for p in ps:
        yield p
        yield from walk(p.get("panels", []))
for p in walk(d["panels"]):
    if p.get("type") == "row":
        continue
    ds = p.get("datasource", {}).get("uid", "")
    assert ds == "${DS_PROMETHEUS}", f"panel {p.get('title')!r} does not use the templated datasource"
    for t in p.get("targets", []):
        n += 1
        expr = t["expr"]
        for var, val in (("$__rate_interval", "1m"), ("$__interval", "1m"), ("$__range", "1h")):
            expr = expr.replace(var, val)
        rules.append({"record": f"dashboard:query_{n}", "expr": expr})
json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[2], "w"))
print(f"{n} dashboard queries", file=sys.stderr)
PY
  promtool check rules "$tmp/queries.yml" >/dev/null
  local rc=$?
  rm -rf "$tmp"
  return $rc
}
step "dashboard queries are valid PromQL" dashboard_queries

# Optional: live /metrics output in the Prometheus text format.
for url in "$@"; do
  check_metrics() {
    local body; body="$(curl -fsS --max-time 10 "$url")" || return 1
    # promtool check metrics exits 1 for lint hints (e.g. a counter without _total) as well as
    # for malformed text: show all, fail only on malformed output.
    local out; out="$(printf '%s\n' "$body" | promtool check metrics 2>&1)" && return 0
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    ! printf '%s\n' "$out" | grep -qiE 'error while linting|text format parsing error'
  }
  step "promtool check metrics $url" check_metrics
done

if [ "$failures" -gt 0 ]; then
  log "$failures check(s) failed"
  exit 1
fi
log "all ops checks passed"
