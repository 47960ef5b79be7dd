#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tools/bench, the benchmark harness, on this build: a --quick run of
# ofswitch and dpdk-testpmd through scenarios 1 (port to port), 5 (mask
# explosion), 6 (churn) and 7 (flow-mod rate). It checks the harness, not
# the speed: every run forwards, the tables are printed with numbers,
# nothing is misforwarded, and nothing is left behind.
#
# usage: bench_test.sh run|badargs REPO BUILD
set -euo pipefail
case_=$1 repo=$2 build=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

case $case_ in
run)
    rc=0
    mkdir "$tmp/t"
    TMPDIR=$tmp/t /usr/bin/python3 "$repo/tools/bench" --quick --no-huge --no-output \
        --systems ofswitch,testpmd --scenarios 1,5,6,7 --build "$build" \
        >"$tmp/out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || { cat "$tmp/out"; fail "tools/bench exited $rc"; }
    /usr/bin/python3 - "$tmp/out" <<'PY' || { cat "$tmp/out"; exit 1; }
import re, sys
text = open(sys.argv[1]).read()
rows = {}
for line in text.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 5 and re.fullmatch(r"[0-9a-z]+", cells[0]) and cells[1] in ("ofswitch", "testpmd"):
        rows[(cells[0], cells[1])] = cells
bad = []
for key in [("1", "ofswitch"), ("1", "testpmd"), ("5", "ofswitch"), ("5", "testpmd")]:
    r = rows.get(key)
    if not r:
        bad.append("no forwarding row for %s" % (key,))
    elif not (float(r[2]) > 0 and float(r[4].replace(",", "")) > 0):
        bad.append("row %s lacks Mpps or cycles/pkt: %s" % (key, r))
if not (rows.get(("5", "ofswitch")) and int(rows[("5", "ofswitch")][8].split(".")[0]) > 32):
    bad.append("scenario 5 did not make many cache masks: %s" % rows.get(("5", "ofswitch")))
churn = re.search(r"^\| ofswitch +\|([^\n]*)$", text.split("Churn")[1], re.M) if "Churn" in text else None
if not churn:
    bad.append("no churn row")
else:
    c = [x.strip() for x in churn.group(1).split("|")]
    if not (float(c[6].replace(",", "")) > 1000 and c[8] in ("0", "0.00")):
        bad.append("churn row: flow mods %s, misforwarded %s" % (c[6], c[8]))
fm = re.search(r"^\| ofswitch +\| 10,000 +\| ([\d,]+) +\| ([\d,]+) +\|$", text, re.M)
if not fm:
    bad.append("no flow-mod row")
for t in ["Targets", "Ratios", "Machine"]:
    if t not in text:
        bad.append("no %s table" % t)
if bad:
    sys.exit("FAIL: " + "; ".join(bad))
PY
    left=$({
        find "$tmp/t" -mindepth 1
        ls -d /var/run/dpdk/bench-* 2>/dev/null || true
    } | head -n 3)
    [ -z "$left" ] || fail "left behind: $left"
    if pgrep -f "file-prefix bench-(ofs|pg|tpmd)" >/dev/null; then
        fail "processes left: $(pgrep -af 'file-prefix bench-')"
    fi
    ;;
badargs)
    for args in "--scenarios 9" "--systems vpp" "--reps 0" "--frobnicate"; do
        rc=0
        # shellcheck disable=SC2086
        /usr/bin/python3 "$repo/tools/bench" $args >"$tmp/o" 2>"$tmp/e" || rc=$?
        [ "$rc" -eq 2 ] || fail "'$args': exit $rc, want 2"
        [ "$(wc -l <"$tmp/e")" -eq 1 ] || fail "'$args': not one line: $(cat "$tmp/e")"
        [ ! -s "$tmp/o" ] || fail "'$args': wrote to stdout"
    done
    ;;
*) fail "unknown case $case_" ;;
esac
echo "ok: bench $case_"
