#!/usr/bin/env bash
# The ofswitch executable from the outside: argument errors (one line on
# stderr, non-zero exit), a device that cannot be attached, and a run in
# standalone fail mode that floods a pcap port's frames to the other port
# and stops cleanly on SIGTERM and SIGINT, inline (-l 0) and with a worker
# lcore; an idle agent that sleeps. Everything it creates goes in a temporary directory, removed at
# exit, as is EAL's runtime directory.
set -euo pipefail
ofswitch=${1:?usage: test_ofswitch.sh path/to/ofswitch path/to/ofswitch-ctl}
ctl=${2:?usage: test_ofswitch.sh path/to/ofswitch path/to/ofswitch-ctl}
tmp=$(mktemp -d /tmp/ofs-cli-XXXXXX)
prefix=ofs-cli-$$
runtime=/var/run/dpdk/$prefix
[ "$(id -u)" -eq 0 ] || runtime=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix
cleanup() { rm -rf "$tmp"; rmdir "$runtime" "$runtime-tel" 2>/dev/null || true; }
trap cleanup EXIT
eal=(--no-huge -m 256 --no-pci --no-shconf --no-telemetry --file-prefix="$prefix"
    --log-level=warning)
fail=0

# expect_usage_error ARGS...: exit status 2 and exactly one line on stderr.
expect_usage_error() {
    local rc=0
    "$ofswitch" -l 0 "${eal[@]}" -- "$@" 2>"$tmp/err" >/dev/null || rc=$?
    local lines
    lines=$(wc -l <"$tmp/err")
    if [ $rc -ne 2 ] || [ "$lines" -ne 1 ]; then
        echo "FAIL: '$*': exit $rc, $lines stderr lines:"; cat "$tmp/err"; fail=1
    else
        echo "ok: '$*' -> $(cat "$tmp/err")"
    fi
}

expect_usage_error
expect_usage_error --bogus
expect_usage_error --port 0=net_null0
expect_usage_error --port 1=net_null0 --port 1=net_null1
expect_usage_error --port 1
expect_usage_error --port 1=net_null0 --controller foo:1.2.3.4
expect_usage_error --port 1=net_null0 --controller tcp:1.2.3.4:99999
expect_usage_error --port 1=net_null0 --controller tls:1.2.3.4
expect_usage_error --port 1=net_null0 --fail-mode maybe
expect_usage_error --port 1=net_null0 --datapath-id xyz
expect_usage_error --port 1=net_null0 --rxq 0
# --config: the line must be the reason, not "unknown option".
expect_config_error() { # WANT ARGS...
    local want=$1
    shift
    expect_usage_error "$@"
    [ "$(cat "$tmp/err")" = "ofswitch: $want" ] || { echo "FAIL: want 'ofswitch: $want'"; fail=1; }
}
expect_config_error "--config needs an argument" --port 1=net_null0 --config
expect_config_error "--config given twice" --port 1=net_null0 --config a.conf --config=b.conf
expect_config_error "cannot read $tmp/no-such.conf: No such file or directory" \
    --config "$tmp/no-such.conf"
"$ofswitch" -- --help | grep -q '^usage: ofswitch' || { echo "FAIL: --help"; fail=1; }
"$ofswitch" --help | grep -q '^usage: ofswitch' || { echo "FAIL: --help without --"; fail=1; }

# A device that does not exist: exit 1, our line names the port.
rc=0
"$ofswitch" -l 0 "${eal[@]}" -- --port 1=net_nosuchdriver0 2>"$tmp/err" || rc=$?
if [ $rc -ne 1 ] || ! grep -q '^ofswitch: port 1: ' "$tmp/err"; then
    echo "FAIL: bad device: exit $rc"; cat "$tmp/err"; fail=1
else
    echo "ok: bad device -> $(grep '^ofswitch: port 1' "$tmp/err")"
fi

# Five frames in on port 2 (attached last, so port 1 exists when they
# arrive), flooded out of port 1 in standalone mode.
/usr/bin/env python3 - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
def pcap(path, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack('<IIII', 1, i, len(fr), len(fr)))
            f.write(fr)
a, b = bytes.fromhex('02000000000a'), bytes.fromhex('02000000000b')
pcap(d + '/empty.pcap', [])
pcap(d + '/in.pcap', [b + a + b'\x88\xb5' + bytes([i]) * 46 for i in range(5)])
PY

run_standalone() { # lcores signal
    local lcores=$1 sig=$2 rc=0
    rm -f "$tmp"/out*.pcap
    "$ofswitch" -l "$lcores" "${eal[@]}" -- \
        --port 1=net_pcap_c1,rx_pcap="$tmp/empty.pcap",tx_pcap="$tmp/out1.pcap" \
        --port 2=net_pcap_c2,rx_pcap="$tmp/in.pcap",tx_pcap="$tmp/out2.pcap" \
        --fail-mode standalone --ctl-socket "$tmp/ctl" 2>"$tmp/err" &
    local pid=$!
    # Until port 1 sent the five frames (by the switch's own counters).
    local i sent=
    for i in $(seq 600); do
        sent=$("$ctl" -t "$tmp/ctl" --json ports 2>/dev/null | python3 -c \
            'import json,sys; print([p["tx_packets"] for p in json.load(sys.stdin)["ports"] if p["port"] == 1][0])' \
            2>/dev/null) || true
        [ "$sent" = 5 ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    [ "$sent" = 5 ] || echo "note: port 1 sent ${sent:-nothing} of 5 frames within 30 s"
    kill -"$sig" $pid
    wait $pid || rc=$?
    local size
    size=$(stat -c %s "$tmp/out1.pcap" 2>/dev/null || echo 0)
    # 24-byte file header + 5 x (16-byte record header + 60 bytes).
    if [ $rc -ne 0 ] || [ "$size" -ne $((24 + 5 * 76)) ]; then
        echo "FAIL: standalone -l $lcores, SIG$sig: exit $rc, out1.pcap $size bytes"
        cat "$tmp/err"; fail=1
    else
        echo "ok: standalone -l $lcores, SIG$sig: 5 frames flooded, clean exit"
    fi
}
run_standalone 0 TERM
run_standalone 0-1 INT

# Idle with a worker lcore, the agent sleeps in poll() until something
# comes (its sockets, a packet-in, a timer at most every 50 ms): it used to
# wake every millisecond, ~1,000 times a second, on the core it shares.
# Its voluntary context switches over a second, and a request answered.
rc=0
"$ofswitch" -l 0-1 "${eal[@]}" -- --port 1=net_null_i1,no-rx=1 --port 2=net_null_i2,no-rx=1 \
    --ctl-socket "$tmp/ctl-idle" 2>"$tmp/err" &
pid=$!
for i in $(seq 600); do
    "$ctl" -t "$tmp/ctl-idle" show >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
switches() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$pid/task/$pid/status"; }
s0=$(switches); sleep 1; s1=$(switches)
shown=$("$ctl" -t "$tmp/ctl-idle" show 2>&1 | head -1) || true
kill -TERM $pid
wait $pid || rc=$?
if [ $rc -ne 0 ] || [ $((s1 - s0)) -gt 200 ] || [ -z "$shown" ]; then
    echo "FAIL: idle agent: exit $rc, $((s1 - s0)) wake-ups in 1 s (at most 200), show: $shown"
    cat "$tmp/err"; fail=1
else
    echo "ok: idle agent: $((s1 - s0)) wake-ups in 1 s, requests answered, clean exit"
fi

# With telemetry on (EAL's default), its socket is in EAL's runtime
# directory; a clean stop leaves neither behind.
rc=0
"$ofswitch" -l 0 --no-huge -m 256 --no-pci --no-shconf --file-prefix="$prefix-tel" \
    --log-level=warning -- --port 1=net_null_t1,no-rx=1 --ctl-socket "$tmp/ctl-tel" 2>"$tmp/err" &
pid=$!
for i in $(seq 600); do
    [ -S "$runtime-tel/dpdk_telemetry.v2" ] && [ -S "$tmp/ctl-tel" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
[ -S "$runtime-tel/dpdk_telemetry.v2" ] || echo "note: no telemetry socket in $runtime-tel"
kill -TERM $pid
wait $pid || rc=$?
if [ $rc -ne 0 ] || [ -e "$runtime-tel" ]; then
    echo "FAIL: with telemetry: exit $rc, left behind: $(ls -A "$runtime-tel" 2>&1 | tr '\n' ' ')"
    cat "$tmp/err"; fail=1
else
    echo "ok: with telemetry: clean exit, runtime directory and socket removed"
fi

exit $fail
