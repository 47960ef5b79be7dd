#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end: real os-ken controllers (osken-manager running osken_app.py)
# that the switch dials: one the switch connects to twice over TCP (roles
# and everything else), one over TLS with certificates made here (os-ken
# serves TCP or TLS, not both). The app writes one JSON line per check;
# this driver asserts that every check passed.
#
# usage: e2e_osken.sh PATH/TO/ofa_stub_switch
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/e2e_lib.sh"
SWITCH=$1
PY=/usr/bin/python3

e2e_setup
D=$E2E_DIR
# A CA, and a certificate for each side signed by it (EC keys: fast).
mkcert() { # name
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/$1.key" \
        -out "$D/$1.csr" -subj "/CN=$1" 2>/dev/null &&
        openssl x509 -req -in "$D/$1.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial \
            -out "$D/$1.crt" -days 2 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/ca.key" \
    -out "$D/ca.crt" -days 2 -subj /CN=ofa-test-ca 2>/dev/null || exit 1
mkcert switch && mkcert controller || exit 1

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
TCP=$(free_port)
SSL=$(free_port)
OFA_TEST_MODE=roles OFA_TEST_REPORT=$D/report.jsonl OFA_TEST_DIR=$D OFA_TEST_DPID=0xabc \
    "$PY" /usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-tcp-listen-port "$TCP" \
    "$HERE/osken_app.py" >"$D/osken.log" 2>&1 &
E2E_PIDS+=($!)
OFA_TEST_MODE=tls OFA_TEST_REPORT=$D/report-tls.jsonl OFA_TEST_DIR=$D OFA_TEST_DPID=0xabc \
    "$PY" /usr/bin/osken-manager --ofp-listen-host 127.0.0.1 --ofp-ssl-listen-port "$SSL" \
    --ctl-privkey "$D/controller.key" --ctl-cert "$D/controller.crt" --ca-certs "$D/ca.crt" \
    "$HERE/osken_app.py" >"$D/osken-tls.log" 2>&1 &
E2E_PIDS+=($!)

start_switch "$SWITCH" --controller "tcp:127.0.0.1:$TCP" --controller "tcp:127.0.0.1:$TCP" \
    --controller "tls:127.0.0.1:$SSL" --controller ptcp:0 --datapath-id 0xabc \
    --tls-key "$D/switch.key" --tls-cert "$D/switch.crt" --tls-ca "$D/ca.crt"

# The app asks for a link change when it is ready to see PORT_STATUS.
for _ in $(seq 300); do
    [ -e "$D/need-link" ] && break
    grep -q '"done"' "$D/report.jsonl" 2>/dev/null && break
    sleep 0.05
done
[ -e "$D/need-link" ] && sw_cmd "link 3 down"
wait_for grep -q '"done"' "$D/report.jsonl" ||
    for _ in $(seq 200); do grep -q '"done"' "$D/report.jsonl" 2>/dev/null && break; sleep 0.1; done

for _ in $(seq 100); do grep -q '"done"' "$D/report-tls.jsonl" 2>/dev/null && break; sleep 0.1; done
for r in report report-tls; do
    if ! grep -q '"done"' "$D/$r.jsonl" 2>/dev/null; then
        failed "the os-ken app finished ($r)" "$(tail -n 20 "$D/osken.log")" \
            "$(tail -n 20 "$D/osken-tls.log")" "$(tail -n 20 "$SW_LOG")"
        finish
        exit 1
    fi
done
cat "$D/report.jsonl" "$D/report-tls.jsonl" | while read -r line; do
    name=$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get("name",""))' "$line")
    [ -z "$name" ] && continue
    if "$PY" -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["ok"] else 1)' "$line"; then
        pass "$name"
    else
        failed "$name" "$line"
    fi
done >"$D/results"
cat "$D/results"
E2E_PASS=$(grep -c '^ok' "$D/results")
E2E_FAIL=$(grep -c '^FAIL' "$D/results")
stop_switch
[ "$E2E_PASS" -ge 35 ] || failed "the apps ran every check" "only $E2E_PASS passed"
finish
