#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Link state of ports on kernel interfaces. DPDK 22.11's net_af_packet and
# net_af_xdp report their link up whatever the interface does; ofswitch
# reads the kernel interface instead. Two veth pairs in a network namespace
# of the test's own: port 1 (net_af_packet) and port 2 (net_af_xdp, skipped
# where AF_XDP cannot start) go down when the peer end goes down (no
# carrier) and when their own end goes down, and up again; each change is
# seen in `ofswitch-ctl show`, in `ovs-ofctl dump-ports-desc` and as a
# PORT_STATUS that `ovs-ofctl monitor` receives.
#
# usage: e2e_kernel_link.sh PATH/TO/ofswitch PATH/TO/ofswitch-ctl
set -uo pipefail
ofswitch=${1:?usage: e2e_kernel_link.sh ofswitch ofswitch-ctl}
ctl_bin=${2:?usage: e2e_kernel_link.sh ofswitch ofswitch-ctl}
[ "$(id -u)" -eq 0 ] || {
    echo "SKIP: needs root (network namespaces)"
    exit 77
}
ns=ofslink$$
tmp=$(mktemp -d /tmp/ofs-link.XXXXXX)
export OVS_RUNDIR=$tmp OVS_LOGDIR=$tmp
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "$tmp" "/var/run/dpdk/$ns"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    grep -vE '^lib(bpf|xdp): ' "$tmp/sw.log" | tail -n 15 >&2
    exit 1
}
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 50 ms.
wait_for() {
    local limit=$1 what=$2 i
    shift 2
    for ((i = 0; i < limit * 20; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    fail "no $what within $limit s"
}
ctl() { "$ctl_bin" -t "$tmp/ctl" "$@"; }
ofctl() { ip netns exec "$ns" ovs-ofctl -O OpenFlow13 "$@" tcp:127.0.0.1:6634; }
# link_is PORT up|down: what `ofswitch-ctl show` says of PORT's link.
link_is() { ctl show | awk -v p="$1" -v s="$2" '$1 == p && $2 ~ /^net_/ { f = ($4 == s) } END { exit !f }'; }

ip netns add "$ns" || fail "ip netns add"
ip -n "$ns" link set lo up
for i in 1 2; do
    ip -n "$ns" link add name "sw$i" type veth peer name "peer$i" || fail "ip link add"
    ip -n "$ns" link set "sw$i" up
    ip -n "$ns" link set "peer$i" up
done

start() { # PMD of port 2
    rm -f "$tmp/ctl"
    # shellcheck disable=SC2016 # $0 and $@ expand in the inner shell.
    ip netns exec "$ns" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
        exec "$0" "$@"' "$ofswitch" -l 0 --no-huge -m 256 --no-pci --no-shconf --no-telemetry \
        --file-prefix "$ns" -- --port 1=net_af_packet0,iface=sw1 --port "2=$1,iface=sw2" \
        --controller ptcp:6634:127.0.0.1 --ctl-socket "$tmp/ctl" >"$tmp/sw.log" 2>&1 &
    sw=$!
    for _ in $(seq 200); do
        [ -S "$tmp/ctl" ] && return 0
        kill -0 "$sw" 2>/dev/null || break
        sleep 0.05
    done
    wait "$sw" 2>/dev/null
    return 1
}
pmd2=net_af_xdp1
if ! start "$pmd2"; then
    echo "note: net_af_xdp did not start here; port 2 is net_af_packet too"
    pmd2=net_af_packet1
    start "$pmd2" || fail "ofswitch did not start"
fi
pids+=("$sw")
wait_for 5 "link up on both ports" eval 'link_is 1 up && link_is 2 up'

ip netns exec "$ns" ovs-ofctl -O OpenFlow13 monitor tcp:127.0.0.1:6634 \
    --unixctl="$tmp/monitor.ctl" >"$tmp/monitor.out" 2>&1 &
pids+=($!)
wait_for 10 "ovs-ofctl monitor connected" eval 'ctl show | grep -q "ptcp:6634:127.0.0.1 *connected"'

# check PORT NAME UP|DOWN WHAT: the switch's view and a PORT_STATUS with it.
declare -A seen # "PORT STATE" -> PORT_STATUS messages expected so far
# statuses PORT NAME STATE: PORT_STATUS messages for PORT with STATE so far.
statuses() {
    grep -A2 "PORT_STATUS.*MOD: $1($2)" "$tmp/monitor.out" | grep -c "state: *$3\$"
}
check() {
    local port=$1 name=$2 want=$3 what=$4 state
    wait_for 5 "link $want on port $port after $what" link_is "$port" "$want"
    state=$([ "$want" = down ] && echo LINK_DOWN || echo LIVE)
    ofctl dump-ports-desc | grep -A2 "^ $port($name)" | grep -q "state: *$state\$" ||
        fail "dump-ports-desc does not show port $port $state after $what"
    seen["$port $state"]=$((${seen["$port $state"]:-0} + 1))
    # shellcheck disable=SC2016 # eval expands it, each time it polls.
    wait_for 5 "PORT_STATUS for port $port ($state) after $what" \
        eval '[ "$(statuses "$port" "$name" "$state")" -ge "${seen["$port $state"]}" ]'
    echo "ok: port $port ($name) $want after $what"
}
for i in 1 2; do
    name=$([ "$i" = 1 ] && echo net_af_packet0 || echo "$pmd2")
    ip -n "$ns" link set "peer$i" down
    check "$i" "$name" down "its peer went down (no carrier)"
    ip -n "$ns" link set "peer$i" up
    check "$i" "$name" up "its peer came back"
    ip -n "$ns" link set "sw$i" down
    check "$i" "$name" down "ip link set sw$i down"
    ip -n "$ns" link set "sw$i" up
    check "$i" "$name" up "ip link set sw$i up"
done
kill -0 "$sw" 2>/dev/null || fail "ofswitch exited"
echo "PASS"
