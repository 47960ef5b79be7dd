#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Flow-mod throughput of the agent against ofa_stub_switch over loopback:
#  1. `ovs-ofctl -O OpenFlow13 add-flows` of N flows (default 100000).
#     ovs-ofctl 3.1 sends each flow mod followed by a barrier and waits for
#     the reply, so this is bounded by round trips, its own parsing included;
#  2. the same N flow mods pipelined (tools/benchlib/ofconn.py: all written,
#     then one barrier), which is what the agent itself sustains.
# With --ovs (needs the openvswitch-switch package, not in tools/deps) the
# same two runs go against Open vSwitch's ovs-vswitchd (a userspace netdev
# bridge in a private directory) for comparison.
# Prints flow-mods/s. A benchmark prints numbers; it is not a timed test.
#
# usage: bench_flowmod.sh PATH/TO/ofa_stub_switch [N] [--ovs]
set -euo pipefail
SWITCH=$1
N=${2:-100000}
OVS=${3:-}
dir=$(mktemp -d "${TMPDIR:-/tmp}/ofa-bench.XXXXXX")
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir  # never /var/run/openvswitch
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    for f in "$dir"/*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    sleep 0.2
    rm -rf "$dir"
}
trap cleanup EXIT

# N distinct flows, as a controller would push a routing table.
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
    printf "table=0,priority=100,ip,nw_dst=10.%d.%d.%d,actions=output:2\n",
        int(i / 65536), int(i / 256) % 256, i % 256 }' >"$dir/flows"

run() { # label target
    local label=$1 T=$2 t0 t1 count
    ovs-ofctl -O OpenFlow13 del-flows "$T" # Open vSwitch starts with a NORMAL flow.
    t0=$(date +%s.%N)
    ovs-ofctl -O OpenFlow13 add-flows "$T" "$dir/flows"
    t1=$(date +%s.%N)
    count=$(ovs-ofctl -O OpenFlow13 dump-aggregate "$T" | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
    [ "$count" = "$N" ] || { echo "flow_count=$count, want $N" >&2; exit 1; }
    awk -v n="$N" -v t0="$t0" -v t1="$t1" -v l="$label" 'BEGIN {
        printf "%s: ovs-ofctl add-flows of %d flows (barrier per flow): %.3f s, %.0f flow-mods/s\n",
            l, n, t1 - t0, n / (t1 - t0) }'
    ovs-ofctl -O OpenFlow13 del-flows "$T"
    printf '%s: ' "$label"
    /usr/bin/python3 "$(dirname "$0")/../../tools/benchlib/ofconn.py" 127.0.0.1 "${T##*:}" "$N"
    count=$(ovs-ofctl -O OpenFlow13 dump-aggregate "$T" | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
    [ "$count" = "$N" ] || { echo "flow_count=$count, want $N" >&2; exit 1; }
}

"$SWITCH" --controller ptcp:0 --port-file "$dir/port" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$dir/port" ] && break; sleep 0.05; done
run ofswitch-agent "tcp:127.0.0.1:$(head -n1 "$dir/port")"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=

[ "$OVS" = --ovs ] || exit 0
db=$dir/conf.db
ovsdb-tool create "$db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$db" --remote="punix:$dir/db.sock" --pidfile="$dir/ovsdb.pid" \
    --unixctl="$dir/ovsdb.ctl" --log-file="$dir/ovsdb.log" --detach
vsctl() { ovs-vsctl --db="unix:$dir/db.sock" "$@"; }
vsctl --no-wait init
ovs-vswitchd "unix:$dir/db.sock" --pidfile="$dir/vswitchd.pid" --unixctl="$dir/vswitchd.ctl" \
    --log-file="$dir/vswitchd.log" --detach 2>/dev/null
OVS_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
vsctl add-br br0 -- set bridge br0 datapath_type=netdev protocols=OpenFlow13 \
    -- set-controller br0 "ptcp:$OVS_PORT:127.0.0.1"
for _ in $(seq 100); do
    ovs-ofctl -O OpenFlow13 show "tcp:127.0.0.1:$OVS_PORT" >/dev/null 2>&1 && break
    sleep 0.05
done
run open-vswitch "tcp:127.0.0.1:$OVS_PORT"
