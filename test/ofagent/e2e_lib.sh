# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the agent's end-to-end tests (sourced, bash).
#   e2e_setup                 a private temp dir, cleaned up (with every
#                             process started by start_switch) on exit
#   start_switch ARGS...      ofa_stub_switch with a command FIFO; sets SW_PID
#   wait_for FILE|CMD         poll until it exists / succeeds (5 s)
#   log_after RE              wait until the switch's log matches RE; print it
#   ok NAME CMD...            CMD must succeed
#   expect_out NAME RE CMD... CMD's stdout+stderr must match the PCRE RE
#                             (multi-line: ^ and $ match at lines, \\n newlines)
#   expect_err NAME ERR CMD...CMD must fail printing the OpenFlow error ERR
#   stop_switch               SIGTERM; checks a clean exit
#   finish                    prints "N passed, N failed"; exit status
set -uo pipefail

E2E_PASS=0
E2E_FAIL=0
E2E_PIDS=()

e2e_cleanup() {
    local p
    for p in "${E2E_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${E2E_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    [ -n "${E2E_DIR:-}" ] && rm -rf "$E2E_DIR"
}

e2e_setup() {
    E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ofa-e2e.XXXXXX")
    # Open vSwitch tools keep control sockets in OVS_RUNDIR: ours, not the
    # /var/run/openvswitch that only an installed openvswitch-switch makes.
    export OVS_RUNDIR=$E2E_DIR
    trap e2e_cleanup EXIT
    trap 'exit 1' INT TERM
}

wait_for() { # FILE or a command; 5 s
    local i
    for i in $(seq 100); do
        if [ $# -eq 1 ] && [ -e "$1" ]; then return 0; fi
        if [ $# -gt 1 ] && "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.05
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

log_after() {
    wait_for grep -Pzq -- "(?m)$1" "$SW_LOG"
    cat "$SW_LOG"
}

# start_switch SWITCH_BINARY ARGS...: sets SW_PID, SW_LOG, SW_CTL, SW_PORT
# (the first passive target's port).
start_switch() {
    local bin=$1
    shift
    SW_LOG=$E2E_DIR/switch.log
    SW_CTL=$E2E_DIR/ctl
    rm -f "$SW_CTL" "$E2E_DIR/ports"
    mkfifo "$SW_CTL"
    "$bin" --port-file "$E2E_DIR/ports" --ctl "$SW_CTL" "$@" >"$SW_LOG" 2>&1 &
    SW_PID=$!
    E2E_PIDS+=("$SW_PID")
    wait_for "$E2E_DIR/ports" || { cat "$SW_LOG"; exit 1; }
    SW_PORT=$(head -n1 "$E2E_DIR/ports")
}

sw_cmd() { # a line to the switch's command FIFO (bounded: a dead switch has no reader)
    timeout 5 bash -c 'echo "$1" >"$2"' sw_cmd "$*" "$SW_CTL"
}

# The switch must still be running, exit 0 on SIGTERM (leak checks run
# then under ASan) and its log must hold no sanitizer report.
stop_switch() {
    local rc=0 p
    kill -TERM "$SW_PID" 2>/dev/null
    wait "$SW_PID" || rc=$?
    for p in "${!E2E_PIDS[@]}"; do
        [ "${E2E_PIDS[$p]}" = "$SW_PID" ] && unset 'E2E_PIDS[p]'
    done
    if [ $rc -eq 0 ] && grep -q '^exiting' "$SW_LOG" &&
        ! grep -Eq 'runtime error|Sanitizer' "$SW_LOG"; then
        pass "the switch exits cleanly on SIGTERM, no sanitizer report"
    else
        failed "the switch exits cleanly on SIGTERM, no sanitizer report" "rc=$rc" \
            "$(grep -E -A8 'runtime error|Sanitizer' "$SW_LOG" | head -n 30)" "$(tail -n 5 "$SW_LOG")"
    fi
}

pass() { E2E_PASS=$((E2E_PASS + 1)); echo "ok   $1"; }
failed() {
    E2E_FAIL=$((E2E_FAIL + 1))
    echo "FAIL $1"
    shift
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/     | /' | head -n 40
}

ok() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then pass "$name"; else failed "$name" "$out"; fi
}

expect_out() {
    local name=$1 re=$2 out
    shift 2
    out=$("$@" 2>&1)
    if grep -Pzq -- "(?m)$re" <<<"$out"; then pass "$name"; else failed "$name" "want /$re/" "$out"; fi
}

expect_err() {
    local name=$1 err=$2 out
    shift 2
    if out=$("$@" 2>&1); then
        failed "$name" "succeeded, want $err" "$out"
    elif grep -q -- "$err" <<<"$out"; then
        pass "$name"
    else
        failed "$name" "want $err" "$out"
    fi
}

finish() {
    echo "$E2E_PASS passed, $E2E_FAIL failed"
    [ "$E2E_FAIL" -eq 0 ]
}
