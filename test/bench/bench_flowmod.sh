#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Flow-mod throughput of the agent against ofa_stub_switch over loopback:
#  1. `ovs-ofctl -O OpenFlow13 add-flows` of N flows (default 100000).
#     ovs-ofctl 3.1 sends each flow mod followed by a barrier and waits for
#     the reply, so this is bounded by round trips, its own parsing included;
#  2. the same N flow mods pipelined (flowmod_pipelined.py: all written,
#     then one barrier), which is what the agent itself sustains.
# Prints flow-mods/s. A benchmark prints numbers; it is not a timed test.
#
# usage: bench_flowmod.sh PATH/TO/ofa_stub_switch [N]
set -euo pipefail
SWITCH=$1
N=${2:-100000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/ofa-bench.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

# N distinct flows, as a controller would push a routing table.
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
    printf "table=0,priority=100,ip,nw_dst=10.%d.%d.%d,actions=output:2\n",
        int(i / 65536), int(i / 256) % 256, i % 256 }' >"$dir/flows"

"$SWITCH" --controller ptcp:0 --port-file "$dir/port" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$dir/port" ] && break; sleep 0.05; done
T=tcp:127.0.0.1:$(head -n1 "$dir/port")

t0=$(date +%s.%N)
ovs-ofctl -O OpenFlow13 add-flows "$T" "$dir/flows"
t1=$(date +%s.%N)
count=$(ovs-ofctl -O OpenFlow13 dump-aggregate "$T" | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
[ "$count" = "$N" ] || { echo "flow_count=$count, want $N" >&2; exit 1; }
awk -v n="$N" -v t0="$t0" -v t1="$t1" 'BEGIN {
    printf "ovs-ofctl add-flows of %d flows (barrier per flow): %.3f s, %.0f flow-mods/s\n",
        n, t1 - t0, n / (t1 - t0) }'
ovs-ofctl -O OpenFlow13 del-flows "$T"
/usr/bin/python3 "$(dirname "$0")/flowmod_pipelined.py" 127.0.0.1 "${T##*:}" "$N"
count=$(ovs-ofctl -O OpenFlow13 dump-aggregate "$T" | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
[ "$count" = "$N" ] || { echo "flow_count=$count, want $N" >&2; exit 1; }
