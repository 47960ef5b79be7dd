#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end fail modes: with no controller connected, a standalone switch
# forwards as an L2 learning switch (the agent tells the dataplane) and a
# secure one drops table misses; a controller connecting ends standalone
# forwarding, and its leaving brings it back.
#
# usage: e2e_failmode.sh PATH/TO/ofa_stub_switch
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/e2e_lib.sh"
SWITCH=$1
PY=/usr/bin/python3

e2e_setup
FRAME=ffffffffffff0000000000010800
FRAME+=4500002e00000000401100000a0000010a090909
FRAME+=03e807d0001a0000000000000000000000000000000000000000
# A port nobody listens on: the active target keeps failing.
DEAD=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

start_switch "$SWITCH" --fail-mode standalone --controller "tcp:127.0.0.1:$DEAD" \
    --controller ptcp:0
expect_out "standalone: no controller, the dataplane forwards on its own" '^standalone on' cat "$SW_LOG"
sw_cmd "inject 1 $FRAME"
expect_out "a broadcast floods to the other ports" \
    'output in_port=1 port=2 len=60 packet_out=0 standalone=1(.|\n)*port=4 [^\n]*standalone=1' \
    log_after 'injected port=1'
expect_out "the dead controller is retried with backoff" 'connect: Connection refused' cat "$SW_LOG"
# A controller session (ovs-ofctl monitor stays connected).
timeout 20 ovs-ofctl -O OpenFlow13 monitor "tcp:127.0.0.1:$SW_PORT" --unixctl="$E2E_DIR/mon.ctl" \
    >/dev/null 2>&1 &
MON=$!
E2E_PIDS+=("$MON")
expect_out "a connected controller ends standalone forwarding" '^standalone off' \
    log_after 'standalone off'
kill "$MON" 2>/dev/null
wait "$MON" 2>/dev/null
expect_out "its leaving brings it back" '^standalone off\n(.|\n)*^standalone on' \
    log_after '^standalone off\n(.|\n)*^standalone on'
stop_switch


start_switch "$SWITCH" --fail-mode secure --controller "tcp:127.0.0.1:$DEAD" --controller ptcp:0
sw_cmd "inject 1 $FRAME"
expect_out "secure: a table miss is dropped" 'injected port=1 len=60 outputs=0' \
    log_after 'injected port=1'
expect_out "secure: never standalone" '^standalone off' cat "$SW_LOG"
stop_switch
finish
