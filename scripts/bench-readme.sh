#!/usr/bin/env bash
# Copies the main table and the targets of bench/results/latest.md into the README between the
# bench:start and bench:end markers (scripts/bench.sh calls it after each run).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
latest="$ROOT/bench/results/latest.md"
[ -f "$latest" ] || { log "no $latest yet: run scripts/bench.sh"; exit 1; }
python3 - "$latest" "$ROOT/README.md" <<'PY'
import re, sys
latest, readme = open(sys.argv[1]).read(), open(sys.argv[2]).read()
heading = latest.splitlines()[0].lstrip('# ').strip()
table = re.search(r'^\| scenario \| mode \|.*?(?=\n\n)', latest, re.S | re.M).group(0)
hot = re.search(r'^### Hot key.*?(?=\n\n###)', latest, re.S | re.M)
targets = re.search(r'^### Targets\n\n(.*?)(?=\n\n###|\Z)', latest, re.S | re.M)
block = f"{heading}:\n\n{table}\n"
if hot:
    block += "\n" + hot.group(0).replace("### ", "") + "\n"
if targets:
    block += "\nTargets:\n\n" + targets.group(1).strip() + "\n"
new = re.sub(r'(<!-- bench:start -->\n).*?(<!-- bench:end -->)', lambda m: m.group(1) + block + m.group(2), readme, flags=re.S)
open(sys.argv[2], 'w').write(new)
PY
log "README benchmark table updated from $latest"
