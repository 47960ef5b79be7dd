#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end: every ofswitch-ctl command against a running switch (the
# agent on the stub dataplane), human and --json output, and the errors:
# one line on stderr and a non-zero exit.
#
# usage: e2e_ctl.sh PATH/TO/ofa_stub_switch PATH/TO/ofswitch-ctl
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/e2e_lib.sh"
SWITCH=$1
CTL_BIN=$2
PY=/usr/bin/python3

e2e_setup
SOCK=$E2E_DIR/ofswitch.ctl
start_switch "$SWITCH" --controller ptcp:0 --datapath-id 0xabc --ports 3 --ctl-socket "$SOCK"
T=tcp:127.0.0.1:$SW_PORT
of() { ovs-ofctl -O OpenFlow13 "$@"; }
ctl() { "$CTL_BIN" -t "$SOCK" "$@"; }
json_ok() { # the --json answer parses and the Python expression holds
    local expr=$1
    shift
    ctl --json "$@" | "$PY" -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)"
}

of add-group "$T" group_id=5,type=select,bucket=weight:1,output:1,bucket=weight:2,output:2
of add-meter "$T" meter=3,kbps,band=type=drop,rate=1000
of add-flow "$T" table=0,priority=10,ip,nw_dst=10.9.9.9,actions=meter:3,goto_table:1
of add-flow "$T" table=1,priority=5,cookie=0x42,ip,actions=output:2
of add-flow "$T" table=1,priority=1,actions=group:5
# One frame through the pipeline: table 0 -> table 1 -> port 2.
FRAME=0000000000020000000000010800
FRAME+=4500002e00000000401100000a0000010a090909
FRAME+=03e807d0001a0000000000000000000000000000000000000000
sw_cmd inject 1 "$FRAME"
wait_for grep -q 'output in_port=1 port=2' "$SW_LOG"

expect_out "show: datapath id and fail mode" \
    '^datapath_id: 0000000000000abc$(.|\n)*^fail_mode: secure$' ctl show
expect_out "show: the passive controller target, listening or connected" \
    "ptcp:$SW_PORT:127\\.0\\.0\\.1 +(listening|connected)" ctl show
expect_out "show: ports with names and link" '^ *1 +stub1 +[0-9a-f:]+ +up' ctl show
ok "show --json parses, three ports" json_ok 'len(d["ports"]) == 3 and d["datapath_id"] == "0000000000000abc"' show
expect_out "ports: port 1 received the frame" '^ *1 +stub1 +1 ' ctl ports
ok "ports --json: port 2 sent one packet" json_ok '[p for p in d["ports"] if p["port"] == 2][0]["tx_packets"] == 1' ports
expect_out "flows: all three, with the frame counted where it went" \
    '^ *1 +5 +0x42 +[0-9.]+s +1 +60 +eth_type=0x0800 +apply_actions\(output:2\)$' ctl flows
ok "flows --json: three entries" json_ok 'len(d["flows"]) == 3' flows
ok "flows 0: only table 0" json_ok 'len(d["flows"]) == 1 and d["flows"][0]["table"] == 0' flows 0
expect_out "groups: the select group with weighted buckets" \
    '^ *5 +select +1 .*bucket0\(w=1:output:1\) bucket1\(w=2:output:2\)' ctl groups
expect_out "meters: the meter, its flow and band" '^ *3 +kbps +1 .*drop\(rate=1000' ctl meters
expect_out "trace: each table and the final actions" \
    'Table 0: priority 10(.|\n)*Table 1: priority 5, cookie 0x42(.|\n)*Actions: meter:3,output:2' \
    ctl trace in_port=1,ip,nw_dst=10.9.9.9
ok "trace --json carries the text" json_ok '"Megaflow:" in d["trace"]' trace in_port=1,ip
expect_out "pmd-stats: a table (the stub has no workers)" '^worker +lcore +packets' ctl pmd-stats
ok "pmd-stats-clear" ctl pmd-stats-clear
expect_out "pmd-perf: a table (the stub has no workers)" '^worker +at_least_us +polls +pct' ctl pmd-perf
ok "drops" ctl drops
ok "counters --json: the time, the datapath, port 2's one packet" json_ok \
    'd["now_ns"] > 0 and d["datapath_id"] == "0000000000000abc" and [p for p in d["ports"] if p["port"] == 2][0]["tx_packets"] == 1 and d["workers"] == []' counters
expect_out "counters: text, raw values" '^now_ns: [0-9]+$(.|\n)*^port +name +rx_packets' ctl counters
expect_out "top --once over the stub: no workers, its ports" \
    '^WORKERS$(.|\n)*\(no workers\)(.|\n)*^PORTS$(.|\n)* 3  stub3 ' ctl top --once --interval 0.1
expect_out "help lists counters and top" '^counters (.|\n)*^top \[--interval' ctl help
expect_out "help lists the commands" 'trace FLOW' ctl help
expect_out "log-level reads" '^log_level: info$' ctl log-level
expect_out "log-level sets" '^log_level: debug$' ctl log-level debug

# Ports at run time: the controller side sees the new port.
ok "add-port 9" ctl add-port 9 net_null0
expect_out "the new port is in PORT_DESC" '9\(stub9\)' of show "$T"
ok "del-port 9" ctl del-port 9
no_port9() { ! of show "$T" | grep -q stub9; }
ok "and gone again" no_port9

# Errors: one line on stderr, exit status 1 (2 when no switch answers).
expect_err "unknown command" "unknown command 'frobnicate'" ctl frobnicate
expect_err "bad table" "bad table '300'" ctl flows 300
expect_err "counters takes no argument" "usage: counters" ctl counters 1
expect_err "no such port" "no such port 77" ctl del-port 77
expect_err "a field trace does not know" "unknown field in flow 'in_port=1,color=red' at color=red" \
    ctl trace in_port=1,color=red
expect_err "a mask is not a packet" "a mask" ctl trace ip,nw_dst=10.0.0.0/8
expect_err "bad log level" "bad log level 'loud'" ctl log-level loud
# The stub registers no configuration hooks (ofa_ctl_hooks): save refuses.
expect_err "save without a configuration" "save: this switch keeps no configuration" ctl save
expect_err "save takes one file" "usage: save .FILE." ctl save a b
expect_err "capture needs a file" "usage: capture PORT FILE.pcapng" ctl capture 1
expect_err "capture --count must be positive" "bad --count '0'" ctl capture 1 "$E2E_DIR/c.pcapng" --count 0
expect_err "capture into a directory that does not exist" "cannot write" \
    ctl capture 1 "$E2E_DIR/no/such/dir/c.pcapng"
ok "cache answers (no workers on the stub)" ctl cache
status() { "$@" >/dev/null 2>&1; echo $?; }
expect_out "a refused command exits 1" '^1$' status ctl frobnicate
expect_out "no switch at the socket exits 2" '^2$' status "$CTL_BIN" -t "$E2E_DIR/nowhere.ctl" show
expect_out "no switch: says so in one line" 'cannot connect to .*nowhere\.ctl.*is ofswitch running' \
    "$CTL_BIN" -t "$E2E_DIR/nowhere.ctl" show
expect_out "usage without a command exits 2" '^2$' status "$CTL_BIN"

stop_switch
ok "the socket file is removed on exit" test ! -e "$SOCK"
finish
