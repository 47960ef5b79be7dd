#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# service_test.sh CASE SOURCE_ROOT OFSWITCH OFSWITCH_CTL: ofswitch run as
# its systemd unit (tools/systemd/ofswitch.service) runs it. The unit's
# ExecStart line is taken from the unit file and run word for word, with
# two paths mapped: the installed binary to this build's, and
# /etc/ofswitch/ofswitch.conf to a temporary configuration (net_null and
# net_ring ports, EAL without hugepages). Stopping is what systemd does:
# SIGTERM, then the exit status must be 0.
#
#   unit      the unit: ExecStart, Restart=on-failure, the exit status a
#             bad configuration gets is not restarted; systemd-analyze
#             verify finds nothing to say
#   restart   add-port and del-port are written back to the file: stopped
#             and started again by the same line, the ports are as left
#   save      save FILE writes the running configuration (a relative path
#             is the client's), which restarts to the same ports and
#             datapath id; save alone rewrites the --config file
#   badline   a bad line: one line on stderr naming FILE:LINE, exit status 2
#   override  the command line over the file: EAL options replace the
#             file's eal lines, --fail-mode and --port NUM replace the
#             file's, the file's other ports stay
#
# Run through test/fresh_state.sh (a private, empty /run).
set -euo pipefail
case_=${1:?usage: service_test.sh CASE SOURCE_ROOT OFSWITCH OFSWITCH_CTL}
src=${2:?}
ofswitch=$(realpath "${3:?}")
ctl_bin=$(realpath "${4:?}")
unit=$src/tools/systemd/ofswitch.service
installed_conf=/etc/ofswitch/ofswitch.conf

tmp=$(mktemp -d /tmp/ofs-service-XXXXXX)
prefix=ofs-svc-$$
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    rmdir "/var/run/dpdk/$prefix" 2>/dev/null || true
}
trap cleanup EXIT
die() {
    echo "FAIL: $*"
    for f in "$tmp"/log*; do
        [ -f "$f" ] && { echo "--- $f"; cat "$f"; }
    done
    exit 1
}
ok() { echo "ok: $*"; }

# The unit's ExecStart, as words (a unit line has no quoting here).
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ "$(grep -c '^ExecStart=' "$unit")" = 1 ] || die "the unit has not exactly one ExecStart"
read -r -a exec_words <<<"$exec_start"
# The command line to run: the same words, two paths mapped.
command_line() { # CONF
    local w out=()
    for w in "${exec_words[@]}"; do
        case "$w" in
        */sbin/ofswitch | */bin/ofswitch) out+=("$ofswitch") ;;
        "$installed_conf") out+=("$1") ;;
        *) out+=("$w") ;;
        esac
    done
    printf '%s\n' "${out[@]}"
}

# Bounded: a switch that accepts but never answers must not hang the test.
ctl() { timeout 10 "$ctl_bin" -t "$tmp/ctl" "$@"; }

# start CONF LOG: run the unit's line in the background, wait until the
# control socket answers.
start() {
    local conf=$1 log=$2 i
    mapfile -t cmd < <(command_line "$conf")
    "${cmd[@]}" 2>"$log" &
    pid=$!
    for i in $(seq 300); do
        ctl show >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || die "ofswitch exited while starting ($conf)"
        sleep 0.1
    done
    die "ofswitch did not answer on $tmp/ctl within 30 s"
}

# stop: SIGTERM, as systemctl stop; the exit status must be 0 and EAL's
# runtime directory gone.
stop() {
    local rc=0
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    pid=
    [ $rc -eq 0 ] || die "ofswitch exited with $rc on SIGTERM"
    [ ! -e "/var/run/dpdk/$prefix" ] || die "EAL's runtime directory was left behind"
}

# ports: "NUM=NAME ..." from show --json, sorted by number.
ports() {
    ctl --json show | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join("%d=%s" % (p["port"], p["name"]) for p in sorted(d["ports"], key=lambda p: p["port"])))'
}
dpid() { ctl --json show | python3 -c 'import json,sys; print(json.load(sys.stdin)["datapath_id"])'; }

write_conf() { # FILE [extra lines...]
    local f=$1
    shift
    {
        echo "# written by service_test.sh"
        echo "eal = -l 0 --no-huge -m 256 --no-pci --no-shconf --no-telemetry"
        echo "eal = --file-prefix=$prefix --log-level=warning"
        echo "ctl-socket = $tmp/ctl"
        echo "fail-mode = secure"
        printf '%s\n' "$@"
    } >"$f"
}

case "$case_" in
unit)
    [ "$exec_start" = "/usr/sbin/ofswitch --config $installed_conf" ] ||
        die "ExecStart is '$exec_start'"
    grep -qx 'Restart=on-failure' "$unit" || die "no Restart=on-failure"
    grep -qx 'RestartPreventExitStatus=2' "$unit" || die "no RestartPreventExitStatus=2"
    grep -qx 'WantedBy=multi-user.target' "$unit" || die "not wanted by multi-user.target"
    ok "ExecStart='$exec_start', Restart=on-failure, exit status 2 not restarted"
    if command -v systemd-analyze >/dev/null; then
        # As installed: ExecStart names an executable that exists.
        sed "s|^ExecStart=[^ ]*|ExecStart=$ofswitch|" "$unit" >"$tmp/ofswitch.service"
        systemd-analyze verify --man=no "$tmp/ofswitch.service" >"$tmp/log.verify" 2>&1 ||
            die "systemd-analyze verify failed"
        [ ! -s "$tmp/log.verify" ] || die "systemd-analyze verify: $(cat "$tmp/log.verify")"
        ok "systemd-analyze verify: nothing to say"
    else
        echo "note: no systemd-analyze, unit not verified"
    fi
    ;;
restart)
    conf=$tmp/ofswitch.conf
    write_conf "$conf" "# the first port" "port 1 = net_null0"
    start "$conf" "$tmp/log.1"
    [ "$(ports)" = "1=net_null0" ] || die "ports at start: $(ports)"
    ctl add-port 2 net_null1 >/dev/null
    ctl add-port 3 net_ring0 >/dev/null
    ctl del-port 1 >/dev/null
    [ "$(ports)" = "2=net_null1 3=net_ring0" ] || die "ports after add/del: $(ports)"
    grep -qx 'port 2 = net_null1' "$conf" || die "port 2 not written back: $(cat "$conf")"
    grep -q '^port 1' "$conf" && die "port 1 still in the file: $(cat "$conf")"
    grep -qx '# the first port' "$conf" || die "a comment was lost"
    ls -A "$tmp" | grep -q '^\.ofswitch\.conf\.' && die "a temporary file was left behind"
    ok "add-port 2, add-port 3, del-port 1: written back, other lines kept"
    stop
    ok "stopped with SIGTERM: exit 0, EAL's runtime directory removed"
    start "$conf" "$tmp/log.2"
    [ "$(ports)" = "2=net_null1 3=net_ring0" ] || die "ports after the restart: $(ports)"
    ok "started again by the same line: ports 2 and 3 are back, port 1 is not"
    # A write-back that fails: add-port is undone, del-port says so; one
    # line each, exit status 1.
    mv "$conf" "$tmp/away.conf"
    rc=0
    err=$(ctl add-port 4 net_null4 2>&1) || rc=$?
    want="ofswitch-ctl: add-port 4: cannot read $conf: No such file or directory (port not added)"
    [ $rc -eq 1 ] && [ "$err" = "$want" ] || die "add-port without the file: exit $rc, '$err'"
    [ "$(ports)" = "2=net_null1 3=net_ring0" ] || die "ports after a failed add-port: $(ports)"
    rc=0
    err=$(ctl del-port 3 2>&1) || rc=$?
    want="ofswitch-ctl: del-port 3: port deleted, but cannot read $conf: No such file or directory"
    [ $rc -eq 1 ] && [ "$err" = "$want" ] || die "del-port without the file: exit $rc, '$err'"
    mv "$tmp/away.conf" "$conf"
    ok "write-back failures: add-port undone, del-port reported, one line each"
    stop
    ;;
save)
    conf=$tmp/ofswitch.conf
    write_conf "$conf" "port 1 = net_null0"
    start "$conf" "$tmp/log.1"
    ctl add-port 2 net_ring0 >/dev/null
    id=$(dpid)
    # A relative path is the client's: ofswitch-ctl sends it absolute.
    out=$(cd "$tmp" && timeout 10 "$ctl_bin" -t "$tmp/ctl" save saved.conf 2>&1) ||
        die "save saved.conf: $out"
    [ "$out" = "saved: $tmp/saved.conf" ] || die "save answered '$out'"
    grep -qx "datapath-id = $id" "$tmp/saved.conf" || die "no datapath id: $(cat "$tmp/saved.conf")"
    ok "save saved.conf: written to $tmp/saved.conf"
    stop
    start "$tmp/saved.conf" "$tmp/log.2"
    [ "$(ports)" = "1=net_null0 2=net_ring0" ] || die "ports from the saved file: $(ports)"
    [ "$(dpid)" = "$id" ] || die "datapath id $(dpid), was $id"
    ok "the saved file restarts to the same ports and datapath id $id"
    out=$(ctl save 2>&1) || die "save: $out"
    [ "$out" = "saved: $tmp/saved.conf" ] || die "save without a file answered '$out'"
    head -1 "$tmp/saved.conf" | grep -q '^# ofswitch configuration' || die "the file was not rewritten"
    rc=0
    err=$(ctl save "$tmp/no/such/dir.conf" 2>&1) || rc=$?
    [ $rc -eq 1 ] && [ "$err" = "ofswitch-ctl: save: cannot write $tmp/no/such/dir.conf: No such file or directory" ] ||
        die "save to a missing directory: exit $rc, '$err'"
    ok "save alone rewrites the --config file; a bad path is one line, exit 1"
    stop
    ;;
badline)
    conf=$tmp/bad.conf
    write_conf "$conf" "port 1 = net_null0" "prot 2 = net_null1"
    mapfile -t cmd < <(command_line "$conf")
    rc=0
    "${cmd[@]}" >"$tmp/log.out" 2>"$tmp/log.err" || rc=$?
    [ $rc -eq 2 ] || die "exit status $rc, not 2"
    [ "$(wc -l <"$tmp/log.err")" -eq 1 ] || die "not one line on stderr"
    want="ofswitch: $conf:7: unknown key 'prot 2'"
    [ "$(cat "$tmp/log.err")" = "$want" ] || die "stderr '$(cat "$tmp/log.err")', want '$want'"
    ok "bad line: '$want', exit 2"
    # A missing file is one line too.
    rc=0
    mapfile -t cmd < <(command_line "$tmp/none.conf")
    "${cmd[@]}" 2>"$tmp/log.err" || rc=$?
    [ $rc -eq 2 ] && [ "$(cat "$tmp/log.err")" = "ofswitch: cannot read $tmp/none.conf: No such file or directory" ] ||
        die "missing file: exit $rc, '$(cat "$tmp/log.err")'"
    ok "missing file: one line, exit 2"
    ;;
override)
    conf=$tmp/ofswitch.conf
    # The file's EAL arguments would not start EAL: the command line's must
    # replace them, not add to them.
    {
        echo "eal = --not-an-eal-option"
        echo "ctl-socket = $tmp/ctl"
        echo "fail-mode = standalone"
        echo "port 1 = net_null0"
        echo "port 2 = net_null1"
    } >"$conf"
    "$ofswitch" --config "$conf" -l 0 --no-huge -m 256 --no-pci --no-shconf --no-telemetry \
        --file-prefix="$prefix" --log-level=warning -- --fail-mode secure --port 2=net_ring0 \
        2>"$tmp/log.1" &
    pid=$!
    for i in $(seq 300); do
        ctl show >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || die "ofswitch exited while starting"
        sleep 0.1
    done
    [ "$(ports)" = "1=net_null0 2=net_ring0" ] || die "ports: $(ports)"
    mode=$(ctl --json show | python3 -c 'import json,sys; print(json.load(sys.stdin)["fail_mode"])')
    [ "$mode" = secure ] || die "fail mode $mode"
    ok "command line over the file: its EAL options, fail mode and port 2; the file's port 1"
    stop
    ;;
*)
    echo "unknown case $case_" >&2
    exit 2
    ;;
esac
