#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# tools/demo end to end: the README's one-command demo with the binaries of
# this build. Every host pair must ping, iperf3 must run, the controller's
# flows must show what it learned, and nothing may be left behind (network
# namespaces, the work directory, processes).
#
# The fabric case runs `tools/demo --fabric`: three switches in a triangle
# under one os-ken controller (tools/fabric_app.py); the demo's own checks
# (discovery, pings, the path on the per-port counters, the reroute when a
# link goes down, the way back) must pass, and this script checks what it
# printed and that nothing is left behind.
#
# usage: demo_test.sh CASE BUILD_ROOT
#   CASE: testcontroller | osken | standalone | deadcontroller | fabric | badargs
set -uo pipefail
CASE=$1
BUILD=$2
DEMO=$(cd "$(dirname "$0")/../.." && pwd)/tools/demo

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

if [ "$CASE" = badargs ]; then
    check_usage() { # expected-message args...
        local want=$1 out rc
        shift
        out=$("$DEMO" "$@" 2>&1)
        rc=$?
        [ "$rc" -eq 2 ] || fail "tools/demo $* exited $rc, want 2"
        [ "$(wc -l <<<"$out")" -eq 1 ] || fail "tools/demo $*: want one line, got: $out"
        grep -q -- "$want" <<<"$out" || fail "tools/demo $*: '$out' does not say '$want'"
    }
    check_usage "unknown option '--bogus'" --bogus
    check_usage "--hosts wants 2 to 8, got '9'" --hosts 9
    check_usage "--hosts wants 2 to 8, got ''" --hosts
    check_usage "--controller wants testcontroller or osken, got 'nox'" --controller nox
    check_usage "--bin-dir: no such directory '/nonexistent'" --bin-dir /nonexistent
    check_usage "--fabric runs its own controller and hosts; it does not take --hosts" \
        --fabric --hosts 3
    check_usage "it does not take --controller" --controller osken --fabric
    check_usage "it does not take --no-controller" --fabric --no-controller
    check_usage "unknown option '--bogus'" --fabric --bogus
    "$DEMO" --help | grep -q -- '--fabric' || fail "--help does not mention --fabric"
    "$DEMO" --help | grep -q 'usage: tools/demo' || fail "--help does not print the usage"
    echo "PASS badargs"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || {
    echo "SKIP: tools/demo creates network namespaces and needs root"
    exit 77
}

if [ "$CASE" = deadcontroller ]; then
    # A controller that dies at start (as ovs-testcontroller did on a machine
    # without /var/run/openvswitch): the demo says which one and why, and
    # fails, instead of running the hosts against no controller.
    # (The real one gets a private OVS_RUNDIR from the demo.)
    fake=$(mktemp -d /tmp/ofs-demo-fake.XXXXXX)
    trap 'rm -rf "$fake"' EXIT
    printf '#!/bin/sh\necho "ovs-testcontroller: fake failure for the test" >&2\nexit 1\n' \
        >"$fake/ovs-testcontroller"
    chmod +x "$fake/ovs-testcontroller"
    out=$(PATH=$fake:$PATH "$DEMO" --ci --bin-dir "$BUILD" --hosts 2 2>&1)
    rc=$?
    echo "$out"
    [ "$rc" -eq 1 ] || fail "a dead controller: exit $rc, want 1"
    grep -q '^tools/demo: the controller (ovs-testcontroller) exited at start' <<<"$out" ||
        fail "the demo does not say that the controller exited"
    grep -q 'fake failure for the test' <<<"$out" || fail "the demo does not show the controller's log"
    ! grep -q 'Pinging' <<<"$out" || fail "the demo ran traffic without a controller"
    tag=$(grep -o -m1 'network namespaces ofsdemo[0-9]*' <<<"$out" | awk '{print $3}')
    ! ip netns list | grep -q "^$tag-" || fail "namespaces left behind"
    echo "PASS deadcontroller"
    exit 0
fi

if [ "$CASE" = fabric ]; then
    out=$("$DEMO" --fabric --ci --bin-dir "$BUILD" 2>&1)
    rc=$?
    echo "$out"
    tag=$(grep -o -m1 'network namespaces ofsfab[0-9]*' <<<"$out" | awk '{print $3}')
    [ -n "$tag" ] || fail "the demo did not name its namespaces"
    [ "$rc" -eq 0 ] || fail "tools/demo --fabric exited $rc"
    grep -q '^== Fabric demo passed' <<<"$out" || fail "no 'Fabric demo passed'"
    ! grep -q 'CHECK FAILED' <<<"$out" || fail "a check failed"
    # The topology: three switches, the triangle's three links.
    grep -q 'switches: s1 (dpid 0000000000000001, ports 1,2,3), s2 .*, s3 ' <<<"$out" ||
        fail "the discovered switches are not shown"
    for l in 's1 port 2 <-> s2 port 2' 's1 port 3 <-> s3 port 3' 's2 port 3 <-> s3 port 2'; do
        grep -q "^  link: $l\$" <<<"$out" || fail "the discovered link $l is not shown"
    done
    # Every pair pinged before and after the failure.
    [ "$(grep -cE '^  h[123] -> h[123]: 3 packets transmitted, 3 received, 0% packet loss' \
        <<<"$out")" -eq 6 ] || fail "want 6 loss-free ping runs between host pairs"
    # The path before, during and after the failure, as the controller has it.
    [ "$(grep -c '^  h1 -> h2: s1 port 2 -> s2 port 1$' <<<"$out")" -eq 2 ] ||
        fail "h1 -> h2 is not direct before and after the failure"
    grep -q '^  h1 -> h2: s1 port 3 -> s3 port 2 -> s2 port 1$' <<<"$out" ||
        fail "h1 -> h2 was not rerouted through s3"
    grep -q 'controller (dpid:port): link down 1:2 -> 2:2' <<<"$out" ||
        fail "the controller did not report the link down"
    # The counters of the probe through s3: s1 port 3 carried it, s1 port 2 nothing.
    sed -n '/^== Traffic from h1 to h2 now goes through s3/,/^==/p' <<<"$out" |
        awk '$1 == "s1" && $3 == "3" && $7 >= 50 && $8 >= 50 { a = 1 }
             $1 == "s1" && $3 == "2" && $7 == 0 { b = 1 } END { exit !(a && b) }' ||
        fail "the counters do not show the traffic moving to s1 port 3"
    # Nothing left behind.
    if ip netns list | grep -q "^$tag-"; then
        fail "namespaces left: $(ip netns list | grep "^$tag-" | tr '\n' ' ')"
    fi
    work=$(grep -o -m1 '/tmp/ofs-fabric\.[A-Za-z0-9_]*' <<<"$out")
    [ -n "$work" ] || fail "the demo did not show its work directory"
    [ ! -e "$work" ] || fail "work directory $work left"
    if pgrep -f -- "$tag" >/dev/null || pgrep -f -- "$work" >/dev/null; then
        fail "a process of the demo left running: $(pgrep -af -- "$tag|$work")"
    fi
    ls -d /var/run/dpdk/"$tag"* 2>/dev/null && fail "EAL runtime directories left"
    echo "PASS fabric"
    exit 0
fi

case "$CASE" in
testcontroller) args=(--controller testcontroller --hosts 3) ;;
osken) args=(--controller osken --hosts 2) ;;
standalone) args=(--no-controller --hosts 4) ;;
*) fail "unknown case '$CASE'" ;;
esac

out=$("$DEMO" --ci --bin-dir "$BUILD" "${args[@]}" 2>&1)
rc=$?
echo "$out"
tag=$(grep -o -m1 'network namespaces ofsdemo[0-9]*' <<<"$out" | awk '{print $3}')
[ -n "$tag" ] || fail "the demo did not name its namespaces"
[ "$rc" -eq 0 ] || fail "tools/demo ${args[*]} exited $rc"
grep -q '^== Demo passed' <<<"$out" || fail "no 'Demo passed'"

# Every pair answered, none lost.
hosts=${args[-1]}
pairs=$((hosts * (hosts - 1) / 2))
[ "$(grep -c ' 0% packet loss' <<<"$out")" -eq "$pairs" ] || fail "want $pairs loss-free pings"
# iperf3 moved data (its receiver line, in Mbits/sec, is above zero).
mbits=$(grep -m1 'receiver' <<<"$out" | grep -o '[0-9.]* Mbits/sec' | cut -d' ' -f1)
awk -v m="${mbits:-0}" 'BEGIN { exit !(m > 1) }' || fail "iperf3 carried ${mbits:-nothing} Mbit/s"

if [ "$CASE" = standalone ]; then
    # No controller, no flows: the dataplane's MAC learning forwarded it all.
    grep -q 'fail-mode standalone' <<<"$out" || fail "not in standalone mode"
else
    # The learning controller installed a flow from h1 to h$hosts (exact
    # TCP for ovs-testcontroller, in_port+eth_dst for the os-ken app) that
    # carried the iperf3 run, beside its table-miss rule.
    grep -q 'priority=0 actions=CONTROLLER' <<<"$out" || fail "no table-miss flow"
    n=$(grep -E 'priority=[1-9][0-9]*,.*in_port=1,.* actions=output:'"$hosts"'$' <<<"$out" |
        grep -o 'n_packets=[0-9]*' | cut -d= -f2 | sort -n | tail -n1)
    [ "${n:-0}" -gt 1000 ] || fail "no flow from h1 to h$hosts carried the iperf3 run (${n:-none})"
fi
# The cache served the traffic once flows were in.
# Columns are found by name: the table grows as the cache does.
[ "$CASE" = standalone ] || sed -n '/^== Flow cache/,/^==/p' <<<"$out" |
    awk '$1 == "worker" && $2 == "lcore" { for (i = 1; i <= NF; i++) col[$i] = i; next }
         col["emc_hits"] && !done { done = 1; n = $col["emc_hits"] + $col["sig_hits"] + $col["megaflow_hits"] }
         END { exit !(n > 1000) }' ||
    fail "the flow cache served no traffic"

# Nothing left behind.
if ip netns list | grep -q "^$tag-"; then
    fail "namespaces left: $(ip netns list | grep "^$tag-" | tr '\n' ' ')"
fi
work=$(grep -o -m1 '/tmp/ofs-demo\.[A-Za-z0-9]*' <<<"$out")
[ -z "$work" ] || [ ! -e "$work" ] || fail "work directory $work left"
if pgrep -f -- "--file-prefix $tag" >/dev/null; then
    fail "ofswitch left running"
fi
if [ -n "$work" ] && pgrep -f -- "$work" >/dev/null; then
    fail "a process of the demo left running: $(pgrep -af -- "$work")"
fi
echo "PASS $CASE"
