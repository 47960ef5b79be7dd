#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end: the real `ovs-ofctl -O OpenFlow13` against the agent on the
# stub dataplane (ofa_stub_switch), over a passive listener on a free
# loopback port. Every check names what it asserts.
#
# usage: e2e_ovs_ofctl.sh PATH/TO/ofa_stub_switch
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/e2e_lib.sh"
SWITCH=$1
PY=/usr/bin/python3

e2e_setup
start_switch "$SWITCH" --controller ptcp:0 --datapath-id 0xabc --ports 4
T=tcp:127.0.0.1:$SW_PORT
of() { ovs-ofctl -O OpenFlow13 "$@"; }
n_flows() { of dump-aggregate "$T" | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p'; }
log_after() { # the switch log once it matches
    wait_for grep -q "$1" "$SW_LOG"
    cat "$SW_LOG"
}
raw() { # print each reply of raw hex requests with ovs-ofctl ofp-print
    local line
    "$PY" "$HERE/ofraw.py" 127.0.0.1 "$SW_PORT" "$@" | while read -r line; do
        ovs-ofctl ofp-print "$line"
    done
}
# A 60-byte UDP frame 10.0.0.1 -> 10.9.9.9 from 00:..:01 to 00:..:02.
FRAME=0000000000020000000000010800
FRAME+=4500002e00000000401100000a0000010a090909
FRAME+=03e807d0001a0000000000000000000000000000000000000000

# ---- features and configuration
expect_out "show: datapath id, n_tables, n_buffers=0" \
    'dpid:0000000000000abc(.|\n)*n_tables:255, n_buffers:0' of show "$T"
expect_out "show: port descriptions" '1\(stub1\)' of show "$T"
ok "set-frags drop" of set-frags "$T" drop
expect_out "get-frags reads back drop" '^drop' of get-frags "$T"
expect_err "set-frags reassemble is refused" OFPSCFC_BAD_FLAGS of set-frags "$T" reassemble
ok "set-frags normal" of set-frags "$T" normal

# ---- flows
ok "add-flow" of add-flow "$T" "table=0,priority=10,ip,nw_dst=10.0.0.1,actions=output:2"
expect_out "dump-flows shows it" 'priority=10,ip,nw_dst=10.0.0.1 actions=output:2' of dump-flows "$T"
ok "del-flows (all)" of del-flows "$T"
expect_out "dump-flows after del-flows is empty" '^OFPST_FLOW reply[^\n]*$' of dump-flows "$T"

FLOWS=$E2E_DIR/flows.txt
for i in $(seq 0 9999); do
    printf 'table=0,cookie=0x%x,priority=100,ip,nw_dst=10.%d.%d.%d,actions=output:2\n' \
        $((i % 2 + 1)) $((i / 65536)) $((i / 256 % 256)) $((i % 256))
done >"$FLOWS"
ok "add-flows of 10000 flows (with barrier)" of add-flows "$T" "$FLOWS"
expect_out "dump-aggregate counts 10000" 'flow_count=10000' of dump-aggregate "$T"
expect_out "dump-flows returns all 10000 (multipart REPLY_MORE)" '^10000$' \
    bash -c "ovs-ofctl -O OpenFlow13 dump-flows $T | grep -c priority=100"
expect_out "in several reply messages" '^([2-9]|[1-9][0-9]+)$' \
    bash -c "ovs-ofctl -O OpenFlow13 dump-flows $T | grep -c '^OFPST_FLOW reply'"
expect_out "dump-tables: table 0 active=10000" 'table 0:[^\n]*\n[^\n]*active=10000' of dump-tables "$T"
ok "add a low-priority flow to port 1" of add-flow "$T" "priority=1,actions=output:1"
ok "del-flows by cookie 0x1" of del-flows "$T" "cookie=0x1/-1"
expect_out "5001 flows left" '^5001$' n_flows
ok "mod-flows by cookie 0x2 -> output:3" of mod-flows "$T" "cookie=0x2/-1,ip,actions=output:3"
expect_out "modified flows output to 3" '^5000$' \
    bash -c "ovs-ofctl -O OpenFlow13 dump-flows $T | grep -c 'actions=output:3'"
ok "del-flows --strict of one flow" of --strict del-flows "$T" "priority=100,ip,nw_dst=10.0.0.1"
expect_out "5000 flows left" '^5000$' n_flows
ok "del-flows --strict with the wrong priority deletes nothing" \
    of --strict del-flows "$T" "priority=99,ip,nw_dst=10.0.0.3"
expect_out "still 5000 flows" '^5000$' n_flows
ok "del-flows out_port=3" of del-flows "$T" "out_port=3"
expect_out "only the output:1 flow is left" '^1$' n_flows
expect_out "which is the priority=1 flow" 'priority=1 actions=output:1' of dump-flows "$T"
ok "del-flows" of del-flows "$T"

# ---- traffic through the stub dataplane: exact statistics
ok "add-flow in_port=1,ip,nw_dst=10.9.9.9 -> 4" \
    of add-flow "$T" "priority=20,in_port=1,ip,nw_dst=10.9.9.9,actions=output:4"
sw_cmd "inject 1 $FRAME"
expect_out "injected frame leaves by port 4" 'output in_port=1 port=4 len=60 packet_out=0' \
    log_after 'output in_port=1 port=4'
expect_out "dump-flows counts the packet" 'n_packets=1, n_bytes=60' of dump-flows "$T"
expect_out "dump-ports counts it on port 1 and 4" \
    'port  1: rx pkts=1(.|\n)*port  4: rx pkts=0[^\n]*\n *tx pkts=1' of dump-ports "$T"
ok "packet-out to port 2" of packet-out "$T" "in_port=1 packet=$FRAME actions=output:2"
expect_out "packet-out left by port 2" 'output in_port=1 port=2 len=60 packet_out=1' cat "$SW_LOG"
ok "packet-out to TABLE" of packet-out "$T" "in_port=1 packet=$FRAME actions=output:TABLE"
expect_out "packet-out through the table left by port 4" \
    'output in_port=1 port=4 len=60 packet_out=1' cat "$SW_LOG"
expect_err "packet-out to a missing group" OFPBAC_BAD_OUT_GROUP \
    of packet-out "$T" "in_port=1 packet=$FRAME actions=group:9"

# ---- tables
expect_out "dump-table-features: 255 tables, capacity" \
    'table 0 \("table0"\)(.|\n)*max_entries=1048576(.|\n)*table 254' of dump-table-features "$T"

# ---- groups
ok "add-group" of add-group "$T" "group_id=1,type=all,bucket=output:1,bucket=output:2"
ok "add-group select" of add-group "$T" "group_id=2,type=select,bucket=weight:1,output:3"
ok "mod-group" of mod-group "$T" "group_id=1,type=all,bucket=output:3"
expect_out "dump-groups shows the modified group" 'group_id=1,type=all,bucket=actions=output:3' \
    of dump-groups "$T"
expect_out "dump-group-features" 'select group' of dump-group-features "$T"
expect_out "dump-group-stats" 'group_id=1,duration=[^\n]*ref_count=0' of dump-group-stats "$T"
expect_err "add-group of an existing id" OFPGMFC_GROUP_EXISTS \
    of add-group "$T" "group_id=1,type=all,bucket=output:1"
expect_err "mod-group of an unknown id" OFPGMFC_UNKNOWN_GROUP \
    of mod-group "$T" "group_id=5,type=all,bucket=output:1"
ok "del-groups" of del-groups "$T"
expect_out "dump-groups empty" '^OFPST_GROUP_DESC reply[^\n]*$' of dump-groups "$T"

# ---- meters
ok "add-meter" of add-meter "$T" "meter=1,kbps,band=type=drop,rate=1000"
expect_out "dump-meters" 'meter=1 kbps bands=(.|\n)*type=drop rate=1000' of dump-meters "$T"
expect_out "meter-stats" 'meter:1 flow_count:0' of meter-stats "$T"
expect_out "meter-features" 'max_meter:65536' of meter-features "$T"
expect_err "add-meter of an existing id" OFPMMFC_METER_EXISTS \
    of add-meter "$T" "meter=1,kbps,band=type=drop,rate=1000"
ok "flow using the meter" of add-flow "$T" "priority=5,actions=meter:1,output:2"
expect_out "meter-stats counts the flow" 'meter:1 flow_count:1' of meter-stats "$T"

# ---- ports
expect_out "dump-ports-desc" '4\(stub4\): addr:02:00:00:00:00:04' of dump-ports-desc "$T"
ok "mod-port 2 down" of mod-port "$T" 2 down
expect_out "port 2 is PORT_DOWN" '2\(stub2\)[^\n]*\n *config: *PORT_DOWN' of dump-ports-desc "$T"
ok "mod-port 2 up" of mod-port "$T" 2 up
ok "mod-port 3 no-packet-in" of mod-port "$T" 3 no-packet-in
expect_out "port 3 is NO_PACKET_IN" '3\(stub3\)[^\n]*\n *config: *NO_PACKET_IN' of dump-ports-desc "$T"
sw_cmd "link 4 down"
LINK_DOWN_RE='4\(stub4\)[^\n]*\n[^\n]*\n *state: *LINK_DOWN'
wait_for bash -c "ovs-ofctl -O OpenFlow13 dump-ports-desc $T | grep -Pzq '(?m)$LINK_DOWN_RE'"
expect_out "link down shows in the port state" "$LINK_DOWN_RE" of dump-ports-desc "$T"
expect_out "dump-ports of one port" 'port  2: rx pkts' of dump-ports "$T" 2

# ---- errors for malformed or disallowed requests
expect_err "flow to a missing group" OFPBAC_BAD_OUT_GROUP of add-flow "$T" "actions=group:99"
expect_err "flow with a missing meter" OFPMMFC_UNKNOWN_METER of add-flow "$T" "actions=meter:9,output:1"
expect_err "output to port 0" OFPBAC_BAD_OUT_PORT of add-flow "$T" "actions=output:0"
ok "a flow to overlap with" of add-flow "$T" "priority=7,in_port=1,actions=drop"
expect_err "check_overlap" OFPFMFC_OVERLAP of add-flow "$T" "check_overlap,priority=7,ip,actions=drop"
# Requests ovs-ofctl will not build, sent raw; ovs-ofctl ofp-print names the replies.
expect_out "match without its prerequisite (tcp_dst without ip_proto)" \
    'OFPT_ERROR \(OF1.3\) \(xid=0x10\): OFPBMC_BAD_PREREQ' raw \
    "040e0050 00000010 0000000000000000 0000000000000000 0000 0000 0000 8000 ffffffff ffffffff ffffffff 0000 0000 0001000a 80001c02 0050 000000000000 00040008 00000000"
# (Open vSwitch names BAD_EXPERIMENTER \"BAD_VENDOR\".)
expect_out "experimenter message" 'OFPT_ERROR \(OF1.3\) \(xid=0x11\): OFPBRC_BAD_VENDOR' \
    raw "04040010 00000011 00002320 00000000"
expect_out "packet-out with a buffer id (n_buffers=0)" \
    'OFPT_ERROR \(OF1.3\) \(xid=0x12\): OFPBRC_BUFFER_UNKNOWN' \
    raw "040d0018 00000012 00000005 fffffffd 0000 000000000000"
expect_out "setting table features is refused" \
    'OFPT_ERROR \(OF1.3\) \(xid=0x13\): OFPTFFC_EPERM' \
    raw "04120050 00000013 000c 0000 00000000 0040 00 0000000000 $(printf '0%.0s' $(seq 64)) ffffffffffffffff ffffffffffffffff 00000000 00001000"
expect_out "the error carries the request's first 64 bytes" \
    'OFPT_ERROR(.|\n)*truncated to 64 bytes from 80' raw \
    "04120050 00000013 000c 0000 00000000 0040 00 0000000000 $(printf '0%.0s' $(seq 64)) ffffffffffffffff ffffffffffffffff 00000000 00001000"
expect_out "table-mod with a bad config" 'OFPTMFC_BAD_CONFIG' \
    raw "04110010 00000014 00 000000 00000008"
expect_out "role request with a bad role" 'OFPRRFC_BAD_ROLE' \
    raw "04180018 00000015 00000007 00000000 0000000000000000"

# ---- the switch is still healthy and exits cleanly
ok "still answers" of dump-flows "$T"
stop_switch
finish
