#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tools/bench, the benchmark harness, on this build: a --quick run of
# ofswitch and dpdk-testpmd through scenarios 1 (port to port), 5 (mask
# explosion), 6 (churn) and 7 (flow-mod rate). It checks the harness, not
# the speed: every run forwards, the tables are printed with numbers,
# nothing is misforwarded, the results file and charts are written, and
# nothing is left behind.
#
# The plots case draws the charts from a small fixture results file
# (bench_results_fixture.json; no benchmark runs): three SVGs beside the
# --output, naming the systems and scenarios, the same bytes when drawn
# again, the churn chart from its time series (and from medians when a file
# has none); bad results files are one line and exit status 2. The run
# case writes its report into the test's directory: the results file has
# the churn scenario's time series, and the report embeds the three charts.
#
# usage: bench_test.sh run|plots|badargs REPO BUILD
set -euo pipefail
case_=$1 repo=$2 build=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

case $case_ in
run)
    rc=0
    mkdir "$tmp/t"
    TMPDIR=$tmp/t /usr/bin/python3 "$repo/tools/bench" --quick --no-huge --output "$tmp/b.md" \
        --systems ofswitch,testpmd --scenarios 1,5,6,7 --build "$build" \
        >"$tmp/out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || { cat "$tmp/out"; fail "tools/bench exited $rc"; }
    /usr/bin/python3 - "$tmp/out" <<'PY' || { cat "$tmp/out"; exit 1; }
import re, sys
text = open(sys.argv[1]).read()
rows = {}
# Only the forwarding table: the flow-cache table's rows start alike.
forwarding = text.split("Forwarding (", 1)[-1].split("\n\n", 2)[1]
header = [c.strip() for c in forwarding.splitlines()[0].strip().strip("|").split("|")]
col = {name: i for i, name in enumerate(header)}
for line in forwarding.splitlines():
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
if not (rows.get(("5", "ofswitch")) and int(rows[("5", "ofswitch")][col["masks"]].split(".")[0]) > 32):
    bad.append("scenario 5 did not make many cache masks: %s" % rows.get(("5", "ofswitch")))
# --quick makes one latency run: its p99 is the one reported.
one = rows.get(("1", "ofswitch"))
if not (one and one[col["p99 each run us"]].replace(",", "").isdigit()
        and abs(float(one[col["p99 each run us"]].replace(",", ""))
                - float(one[col["p99 us"]].replace(",", ""))) <= 0.5):
    bad.append("scenario 1's latency run is not the p99 reported: %s" % (one,))
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
    # The results file: scenario 6's time series, without and with churn.
    /usr/bin/python3 - "$tmp/b.json" <<'PY' || { cat "$tmp/out"; exit 1; }
import json, statistics, sys
doc = json.load(open(sys.argv[1]))
r = [x for x in doc["results"] if x["scenario"] == "6" and x["system"] == "ofswitch"][0]["result"]
bad = []
# The latency run's worker report: busy share and long polls, as numbers.
r5 = [x for x in doc["results"] if x["scenario"] == "5" and x["system"] == "ofswitch"][0]["result"]
if not (isinstance(r5.get("fill_busy_pct"), (int, float)) and r5["fill_busy_pct"] > 0 and
        isinstance(r5.get("fill_long_polls"), int) and r5["fill_long_polls"] >= 0):
    bad.append("scenario 5: no fill busy %% or long polls: %s" % r5)
# The machine's stalls on the forwarding core, probed before each latency run.
for sys_ in ("ofswitch", "testpmd"):
    rs = [x for x in doc["results"] if x["scenario"] == "5" and x["system"] == sys_][0]["result"]
    if not (isinstance(rs.get("stalls_per_s"), (int, float)) and rs["stalls_per_s"] >= 0 and
            isinstance(rs.get("stalled_ms_per_s"), (int, float)) and
            0 <= rs["stalled_ms_per_s"] < 1000):
        bad.append("scenario 5, %s: no machine stalls: %s" % (sys_, rs))
    # And during it, the generator's and the forwarding thread's waits for
    # their CPUs (a forwarding thread found pinned to the forwarding core).
    for k in ("gen_wait_ms_per_s", "fwd_wait_ms_per_s"):
        if not (isinstance(rs.get(k), (int, float)) and 0 <= rs[k] < 1000):
            bad.append("scenario 5, %s: no %s: %s" % (sys_, k, rs.get(k)))
# Own work (scenario 1): testpmd floor runs before ofswitch's first run
# and after each, the system frozen meanwhile; the median over the runs
# between agreeing floors (within 15 %) of cycles minus the floors' mean.
r1 = [x for x in doc["results"] if x["scenario"] == "1" and x["system"] == "ofswitch"][0]["result"]
runs = r1.get("own_runs") or []
own = [c - (a + b) / 2 for c, a, b in runs if max(a, b) <= 1.15 * min(a, b)]
want = statistics.median(own) if own else None
if not (runs and all(c > 0 and a > 0 and b > 0 for c, a, b in runs) and
        (want is None) == (r1.get("own_work") is None) and
        (want is None or abs(r1["own_work"] - want) <= 0.1)):  # Runs are rounded to 0.1.
    bad.append("scenario 1: no floors around ofswitch's runs: %s" % {k: r1.get(k) for k in ("own_runs", "own_work", "floor_cycles")})
for key, fm in (("series", True), ("base_series", False)):
    s = r.get(key) or {}
    n = len(s.get("t", []))
    # --quick measures 2 s, of which about 1.1 s is sampled every 0.25 s.
    if n < 2 or len(s["mpps"]) != n:
        bad.append("%s has %d samples" % (key, n))
    elif not max(s["mpps"]) > 0:
        bad.append("%s: no traffic: %s" % (key, s["mpps"]))
    if fm and not (s.get("flow_mods_per_s") and max(s["flow_mods_per_s"]) > 1000):
        bad.append("%s: no flow mods: %s" % (key, s.get("flow_mods_per_s")))
if bad:
    sys.exit("FAIL: results file: " + "; ".join(bad))
PY
    for c in cycles churn latency; do
        [ -s "$tmp/b-$c.svg" ] || fail "no $c chart"
        grep -q "(b-$c.svg)" "$tmp/b.md" || fail "the report does not embed b-$c.svg"
    done
    ! grep -q 'recorded no time series' "$tmp/b-churn.svg" ||
        fail "the churn chart ignored the time series"
    left=$({
        find "$tmp/t" -mindepth 1
        ls -d /var/run/dpdk/bench-* 2>/dev/null || true
    } | head -n 3)
    [ -z "$left" ] || fail "left behind: $left"
    if pgrep -f "file-prefix bench-(ofs|pg|tpmd)" >/dev/null; then
        fail "processes left: $(pgrep -af 'file-prefix bench-')"
    fi
    ;;
plots)
    fixture=$repo/test/tools/bench_results_fixture.json
    bench() { /usr/bin/python3 "$repo/tools/bench" "$@"; }
    bench --plots-from "$fixture" --output "$tmp/b.md" >"$tmp/out" 2>&1 ||
        { cat "$tmp/out"; fail "--plots-from exited $?"; }
    [ ! -e "$tmp/b.md" ] || fail "--plots-from wrote the report"
    for c in cycles churn latency; do
        f=$tmp/b-$c.svg
        [ -s "$f" ] || fail "no $f"
        grep -q "wrote $f" "$tmp/out" || fail "--plots-from did not say it wrote $f"
        grep -q '<svg' "$f" || fail "$f is no SVG"
        grep -q '>ofswitch' "$f" || fail "$f does not name ofswitch"
        grep -q '>Open vSwitch (DPDK datapath)' "$f" || fail "$f does not name Open vSwitch"
    done
    for c in cycles latency; do
        f=$tmp/b-$c.svg
        grep -q '>dpdk-testpmd io (no lookup)' "$f" || fail "$f does not name testpmd"
        for sc in '>1</text>' '>3a</text>' '>5</text>' '>port to port' '>mask explosion: 32 x'; do
            grep -q -- "$sc" "$f" || fail "$f does not name scenario '$sc'"
        done
    done
    grep -q '>Scenario 6, churn: 10k flow-mods/s' "$tmp/b-churn.svg" ||
        fail "the churn chart does not name scenario 6"
    grep -q 'flow-mods/s applied' "$tmp/b-churn.svg" || fail "the churn chart has no flow-mod series"
    ! grep -q 'recorded no time series' "$tmp/b-churn.svg" ||
        fail "the churn chart ignored the time series"
    # The same results, the same files.
    md5sum "$tmp"/b-*.svg >"$tmp/sums"
    bench --plots-from "$fixture" --output "$tmp/b.md" >/dev/null 2>&1 || fail "second draw"
    md5sum -c --quiet "$tmp/sums" || fail "drawing the same results again changed the charts"
    # A results file without time series: medians, and the chart says so.
    /usr/bin/python3 - "$fixture" "$tmp/flat.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for r in doc["results"]:
    for k in ("series", "base_series"):
        r.get("result", {}).pop(k, None)
json.dump(doc, open(sys.argv[2], "w"))
PY
    bench --plots-from "$tmp/flat.json" --output "$tmp/flat.md" >/dev/null 2>&1 ||
        fail "--plots-from a file without series"
    grep -q 'recorded no time series' "$tmp/flat-churn.svg" ||
        fail "a churn chart from medians does not say so"
    # Bad results files: one line, exit 2, nothing drawn.
    echo '{"format": "something else"}' >"$tmp/other.json"
    echo 'not json' >"$tmp/bad.json"
    for args in "--plots-from $tmp/none.json" "--plots-from $tmp/bad.json" \
        "--plots-from $tmp/other.json" "--plots-from $fixture --no-output" \
        "--plots-from $fixture --output $tmp/nodir/b.md"; do
        rc=0
        # shellcheck disable=SC2086
        bench $args >"$tmp/o" 2>"$tmp/e" || rc=$?
        [ "$rc" -eq 2 ] || fail "'$args': exit $rc, want 2"
        [ "$(wc -l <"$tmp/e")" -eq 1 ] || fail "'$args': not one line: $(cat "$tmp/e")"
        [ ! -s "$tmp/o" ] || fail "'$args': wrote to stdout"
    done
    ! ls "$tmp"/other-*.svg "$tmp"/bad-*.svg 2>/dev/null || fail "charts drawn from a bad file"
    ;;
badargs)
    for args in "--scenarios 99" "--systems vpp" "--reps 0" "--latency-reps 0" "--frobnicate"; do
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
