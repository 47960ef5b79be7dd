#!/usr/bin/env bash
# End-to-end tests of ofs-pktgen: pktgen_test.sh CASE PATH-TO-OFS-PKTGEN
#
#   loopback         net_ring0 (its RX ring is its TX ring), TX and RX lcores
#   loopback_shared  the same on one lcore, TCP, VLAN-tagged, odd frame size
#   loopback_mq      two TX and two RX queues on four lcores
#   rate             --rate 0.1 for 2 s sends 200k packets within 10 %
#   signal           --duration 0 stopped by SIGINT still drains and reports
#   testpmd          a dpdk-testpmd macswap peer in another process over memif
#   testpmd_queues   the same with two queues: --port-queues
#   badargs          wrong arguments: one line on stderr, non-zero exit
#
# Behaviour, not speed: the machine may have two cores shared with other
# jobs. Every process, socket and EAL directory created here is removed,
# and names carry this shell's PID, so cases run in parallel.
set -euo pipefail

case=$1
pktgen=$2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ofs-pktgen-test.XXXXXX")
prefix="ofs-pgt-$$"
pids=()

cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
    # EAL's runtime directories (empty with --no-shconf); ofs-pktgen removes
    # its own, testpmd does not.
    rmdir /var/run/dpdk/"$prefix"-* "${XDG_RUNTIME_DIR:-/nonexistent}"/dpdk/"$prefix"-* \
        /tmp/dpdk/"$prefix"-* 2>/dev/null || true
}
trap cleanup EXIT

fail() {
    echo "FAIL ($case): $*" >&2
    exit 1
}

# CPUs this process may use: lcores are mapped onto them (--lcores), so
# four lcores work on a two-core machine.
mapfile -t cpus < <(python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))')
lcores() { # count -> --lcores=0@c0,1@c1,...
    local n=$1 i spec=
    for ((i = 0; i < n; i++)); do
        spec+="${spec:+,}$i@${cpus[$((i % ${#cpus[@]}))]}"
    done
    echo "--lcores=$spec"
}

eal() { # lcore-count name
    echo "$(lcores "$1") --no-huge -m 256 --no-pci --no-shconf --no-telemetry" \
        "--log-level=warning --file-prefix=$prefix-$2"
}

# run NAME LCORES PKTGEN-OPTIONS...: runs ofs-pktgen with --json, leaves the
# JSON in $tmp/NAME.json and its stderr in $tmp/NAME.err.
run() {
    local name=$1 n=$2
    shift 2
    local rc=0
    # shellcheck disable=SC2046
    "$pktgen" $(eal "$n" "$name") -- --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
    cat "$tmp/$name.err" >&2
    [ $rc -eq 0 ] || fail "ofs-pktgen exited with $rc"
}

# check NAME PYTHON-ASSERTIONS: r is the report; ok(cond, msg) asserts.
check() {
    python3 - "$tmp/$1.json" "$2" <<'PY' || fail "report check failed"
import json, sys
with open(sys.argv[1]) as f:
    text = f.read()
r = json.loads(text)  # exactly one JSON object
bad = []
def ok(cond, msg):
    if not cond:
        bad.append(msg)
def sane(r, expect_all_back, even=True):
    tx, rx, lat, fl = r["tx"], r["rx"], r["latency_us"], r["flows"]
    ok(tx["packets"] > 0, "nothing sent")
    ok(rx["packets"] > 0, "nothing came back")
    ok(rx["duplicates"] == 0, "duplicates")
    ok(rx["foreign"] == 0, "foreign packets")
    ok(r["loss"]["packets"] == tx["packets"] - (rx["packets"] - rx["duplicates"]), "loss sum")
    if even:  # one TX queue walks all flows in turn
        ok(fl["tx_max"] - fl["tx_min"] <= 1, "flows not evenly sent: %r" % fl)
    ok(fl["tx_min"] > 0, "a flow was never sent")
    # A sample whose TX core's clock ran ahead is counted, not measured.
    ok(lat["samples"] + lat["tsc_behind"] == rx["packets"], "latency samples != rx")
    ok(lat["tsc_behind"] <= rx["packets"] // 2, "most clocks ahead: %r" % lat)
    keys = ["min", "p50", "p90", "p99", "p99_9", "max"]
    vals = [lat[k] for k in keys]
    ok(all(v is not None and v >= 0 for v in vals) and lat["max"] > 0,
       "latency missing: %r" % lat)
    ok(lat["max"] < 60e6, "a latency of a minute or more: %r" % lat)
    ok(vals == sorted(vals), "percentiles out of order: %r" % lat)
    ok(lat["min"] <= lat["mean"] <= lat["max"], "mean outside [min, max]")
    ok(tx["cycles_per_packet"] and tx["cycles_per_packet"] > 0, "tx cycles/packet")
    ok(rx["cycles_per_packet"] and rx["cycles_per_packet"] > 0, "rx cycles/packet")
    ok(tx["mpps"] > 0 and rx["mpps"] > 0, "rates")
    ok(tx["bytes"] == tx["packets"] * r["config"]["size"], "tx bytes count the CRC")
    if expect_all_back:
        ok(r["loss"]["packets"] == 0, "loss %r" % r["loss"])
        ok(rx["packets"] == tx["packets"], "rx != tx")
        ok(rx["out_of_order"] == 0, "reordered")
        ok(fl["rx_seen"] == fl["count"], "a flow never came back")
        ok(fl["rx_min"] == fl["tx_min"] and fl["rx_max"] == fl["tx_max"], "rx flow counts")
exec(sys.argv[2])
if bad:
    print("report:", text, file=sys.stderr)
    print("failed:", "; ".join(bad), file=sys.stderr)
    sys.exit(1)
PY
}

# dpdk-testpmd as a macswap memif server on SOCK (main lcore + one
# forwarding lcore), extra testpmd arguments after; waits for the socket.
start_testpmd() { # name sock [testpmd args...]
    local name=$1 sock=$2 testpmd
    shift 2
    testpmd=$(command -v dpdk-testpmd || true)
    [ -n "$testpmd" ] || {
        echo "SKIP: dpdk-testpmd not installed"
        exit 77
    }
    # shellcheck disable=SC2046
    "$testpmd" $(eal 2 "$name") --vdev="net_memif0,role=server,socket=$sock,socket-abstract=no" \
        -- --forward-mode=macswap "$@" --auto-start --stats-period 3600 --total-num-mbufs=8192 \
        >"$tmp/$name.log" 2>&1 </dev/null &
    pids+=($!)
    for _ in $(seq 100); do
        [ -S "$sock" ] && break
        kill -0 "${pids[0]}" 2>/dev/null || break
        sleep 0.05
    done
    [ -S "$sock" ] || {
        cat "$tmp/$name.log" >&2
        fail "testpmd did not create $sock"
    }
}

# testpmd may already be gone: DPDK 22.11's memif PMD unmaps the shared
# memory on a peer's disconnect without stopping the lcore that polls it,
# so testpmd can crash when ofs-pktgen detaches. Not ours to fail.
stop_testpmd() {
    local rc=0
    if kill -0 "${pids[0]}" 2>/dev/null; then
        kill -TERM "${pids[0]}"
        wait "${pids[0]}" || true
    else
        wait "${pids[0]}" || rc=$?
        echo "note: dpdk-testpmd exited with status $rc when ofs-pktgen disconnected"
    fi
    pids=()
}

# run_vs_testpmd NAME LCORES TESTPMD-ARGS -- PKTGEN-OPTIONS...: ofs-pktgen
# against a fresh dpdk-testpmd. A testpmd that died before anything came
# back (DPDK 22.11's memif has crashed it as a peer connected: a SIGSEGV in
# testpmd, not in ofs-pktgen) gets one more fresh start, and the case says
# so; anything else fails as it is.
run_vs_testpmd() {
    local name=$1 n=$2 sock="$tmp/memif.sock" attempt rc back tp_args=()
    shift 2
    while [ "$1" != -- ]; do
        tp_args+=("$1")
        shift
    done
    shift
    for attempt in 1 2; do
        rm -f "$sock"
        start_testpmd "$name" "$sock" "${tp_args[@]}"
        rc=0
        # shellcheck disable=SC2046
        "$pktgen" $(eal "$n" "$name") -- --json \
            --tx-port "net_memif0,role=client,socket=$sock,socket-abstract=no" "$@" \
            >"$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
        cat "$tmp/$name.err" >&2
        if kill -0 "${pids[0]}" 2>/dev/null; then
            [ $rc -eq 0 ] || fail "ofs-pktgen exited with $rc"
            return 0
        fi
        back=0
        [ $rc -ne 0 ] || back=$(python3 -c \
            'import json,sys; print(json.load(open(sys.argv[1]))["rx"]["packets"])' "$tmp/$name.json")
        [ "$back" -eq 0 ] || return 0 # It died as ofs-pktgen left (stop_testpmd says so).
        [ "$attempt" -eq 1 ] || fail "dpdk-testpmd died twice before anything came back"
        echo "note: dpdk-testpmd died before anything came back ($(tail -n 3 "$tmp/$name.log" |
            tr '\n' ' ')); once more with a fresh one" >&2
        stop_testpmd
    done
}

case $case in
loopback)
    run lb 2 --tx-port net_ring0 --rx-port same --flows 64 --src-ip 10.0.0.0-10.0.0.15 \
        --dst-port 1-4 --duration 1 --warmup 0.2
    check lb '
sane(r, True)
ok(r["config"]["flows"] == 64, "flows")
ok(not r["config"]["shared_lcore"], "TX and RX should have their own lcores")
ok(r["config"]["tx_lcores"] != r["config"]["rx_lcores"], "lcores")
ok(0.5 < r["duration_s"] < 5, "duration %r" % r["duration_s"])
ok(not r["interrupted"], "interrupted")
ok(r["tx"]["warmup_packets"] > 0, "no warm-up traffic")'
    ;;
loopback_shared)
    run lbs 1 --tx-port net_ring0 --proto tcp --vlan 10-11 --size 99 --src-port 1-8 \
        --duration 0.5 --warmup 0.1
    check lbs '
sane(r, True)
ok(r["config"]["shared_lcore"], "one lcore should run both")
ok(r["config"]["flows"] == 16 and r["config"]["vlan"] and r["config"]["proto"] == "tcp", "cfg")'
    ;;
loopback_mq)
    # Each TX queue walks its own slice of the flows, at its own pace, so
    # flows are even within a queue, not across queues.
    run mq 4 --tx-port net_ring0 --txq 2 --rxq 2 --flows 100 --src-ip 10.0.0.0-10.0.0.99 \
        --rate 0.2 --duration 0.5 --warmup 0.1
    check mq '
sane(r, True, even=False)
ok(len(set(r["config"]["tx_lcores"] + r["config"]["rx_lcores"])) == 4, "four lcores")'
    ;;
rate)
    run rate 1 --tx-port net_ring0 --rate 0.1 --duration 2 --warmup 0
    check rate '
sane(r, True)
ok(180000 <= r["tx"]["packets"] <= 220000, "tx %d not within 10%% of 200000" % r["tx"]["packets"])'
    ;;
signal)
    # shellcheck disable=SC2046
    "$pktgen" $(eal 2 sig) -- --json --tx-port net_ring0 --duration 0 --warmup 0 \
        --rate 1 --flows 8 --dst-port 1-8 >"$tmp/sig.json" 2>"$tmp/sig.err" &
    pids+=($!)
    # Ready when it says it is sending (EAL start-up takes seconds under
    # ASan on a busy machine); then half a second of traffic to report.
    for _ in $(seq 600); do
        grep -q 'sending:' "$tmp/sig.err" && break
        kill -0 "${pids[0]}" 2>/dev/null || break
        sleep 0.05
    done
    grep -q 'sending:' "$tmp/sig.err" || {
        cat "$tmp/sig.err" >&2
        fail "ofs-pktgen did not start sending within 30 s"
    }
    sleep 0.5
    kill -INT "${pids[0]}"
    rc=0
    wait "${pids[0]}" || rc=$?
    pids=()
    cat "$tmp/sig.err" >&2
    [ $rc -eq 0 ] || fail "exit status $rc after SIGINT"
    check sig '
sane(r, True)
ok(r["interrupted"], "not marked interrupted")
ok(r["duration_s"] > 0.2, "duration %r" % r["duration_s"])'
    ;;
testpmd)
    run_vs_testpmd tp 1 -- \
        --flows 16 --src-ip 198.18.0.1-198.18.0.16 --rate 0.2 --duration 1 --warmup 0.3 \
        --link-timeout 15
    check tp '
sane(r, False)
ok(r["flows"]["rx_seen"] == 16, "a flow never came back")'
    stop_testpmd
    ;;
testpmd_queues)
    # One RX role polling two queues (what --port-queues sets up; here the
    # default, as the two TX roles need two queues): TX queues 0 and 1 each
    # send half the flows, testpmd returns each queue's packets on the
    # same queue, and every flow must come back — queue 1's only through
    # the RX role's second queue, as against Open vSwitch, whose PMD sends
    # on queue 1.
    run_vs_testpmd tpq 3 --rxq=2 --txq=2 -- \
        --txq 2 --rxq 1 --port-queues 2 --flows 16 --src-ip 198.18.0.1-198.18.0.16 \
        --rate 0.2 --duration 1 --warmup 0.3 --link-timeout 15
    check tpq '
sane(r, False, even=False)
# How many come back depends on the CPU the peers get (a loaded two-core
# machine loses most at times); that each queue'"'"'s flows come back does not.
ok(r["flows"]["rx_seen"] == 16, "flows of one queue never came back: %r" % r["flows"])
ok(r["config"]["port_queues"] == 2, "config.port_queues")'
    stop_testpmd
    ;;
badargs)
    # Each: expected status, then the arguments after "--".
    bad=(
        "2|--size 20 --tx-port net_ring0"
        "2|--tx-port net_ring0 --proto tcp"
        "2|--tx-port net_ring0 --flows 5"
        "2|--tx-port net_ring0 --src-ip 10.0.0.9-10.0.0.1"
        "2|--tx-port net_ring0 --rate fast"
        "2|--tx-port net_ring0 --nonsense"
        "2|--tx-port"
        "2|"
        "1|--tx-port net_nosuchdriver0"
        "1|--tx-port net_ring0 --txq 2 --rxq 2 --flows 2 --src-port 1-2"
    )
    for b in "${bad[@]}"; do
        want=${b%%|*}
        args=${b#*|}
        rc=0
        # shellcheck disable=SC2046,SC2086
        "$pktgen" $(eal 1 bad) -- $args >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
        [ "$rc" -eq "$want" ] || fail "'$args': exit status $rc, want $want"
        [ ! -s "$tmp/bad.out" ] || fail "'$args': wrote to stdout"
        # Ours is one line; EAL's own log lines may come before it.
        n=$(grep -c '^ofs-pktgen: ' "$tmp/bad.err" || true)
        [ "$n" -eq 1 ] || fail "'$args': $n ofs-pktgen lines on stderr: $(cat "$tmp/bad.err")"
        if [ "$want" -eq 2 ]; then
            [ "$(wc -l <"$tmp/bad.err")" -eq 1 ] || fail "'$args': more than one line"
        fi
        echo "ok ($rc): $args -> $(grep '^ofs-pktgen: ' "$tmp/bad.err")"
    done
    ;;
*)
    fail "unknown case"
    ;;
esac

# ofs-pktgen removed its EAL directory on every path.
for d in /var/run/dpdk/"$prefix"-{lb,lbs,mq,rate,sig,tp,bad}; do
    [ ! -e "$d" ] || [ "$d" = "/var/run/dpdk/$prefix-tp" ] || fail "left $d behind"
done
echo "PASS ($case)"
