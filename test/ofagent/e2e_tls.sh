#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end TLS on a passive listener: the real `ovs-ofctl` connects with
# ssl: to the switch's ptls: target. Certificates are made here: a CA that
# both sides trust, and a rogue CA. The switch must accept a client whose
# certificate the CA signed and refuse one the rogue CA signed; a client
# that does not trust the switch's CA must refuse the switch; plain TCP on
# the TLS port must not get an OpenFlow session.
#
# usage: e2e_tls.sh PATH/TO/ofa_stub_switch
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/e2e_lib.sh"
SWITCH=$1

e2e_setup
D=$E2E_DIR
newkey() { # name: an EC key and a signing request
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/$1.key" \
        -out "$D/$1.csr" -subj "/CN=$1" 2>/dev/null
}
mkca() { # name
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$D/$1.key" -out "$D/$1.crt" -days 2 -subj "/CN=$1" 2>/dev/null
}
sign() { # name ca
    newkey "$1" && openssl x509 -req -in "$D/$1.csr" -CA "$D/$2.crt" -CAkey "$D/$2.key" \
        -CAcreateserial -out "$D/$1.crt" -days 2 2>/dev/null
}
mkca ca && mkca rogue && sign switch ca && sign client ca && sign intruder rogue || exit 1

start_switch "$SWITCH" --controller ptls:0 --datapath-id 0x7 \
    --tls-key "$D/switch.key" --tls-cert "$D/switch.crt" --tls-ca "$D/ca.crt"
S=ssl:127.0.0.1:$SW_PORT
ofs() { # key cert ca args...
    local k=$1 c=$2 a=$3
    shift 3
    timeout 10 ovs-ofctl -O OpenFlow13 --private-key="$D/$k.key" --certificate="$D/$c.crt" \
        --ca-cert="$D/$a.crt" "$@"
}

expect_out "a client signed by the CA gets a session" 'dpid:0000000000000007' \
    ofs client client ca show "$S"
ok "flows over TLS" ofs client client ca add-flow "$S" "priority=3,in_port=1,actions=output:2"
expect_out "and reads them back" 'priority=3,in_port=1 actions=output:2' \
    ofs client client ca dump-flows "$S"
expect_err "a client signed by a rogue CA is refused" "" \
    ofs intruder intruder ca show "$S"
expect_out "the switch says why" "TLS handshake failed" cat "$SW_LOG"
expect_err "a client that does not trust the switch's CA refuses it" "" \
    ofs client client rogue show "$S"
expect_err "plain TCP on the TLS port gets no OpenFlow session" "" \
    timeout 10 ovs-ofctl -O OpenFlow13 show "tcp:127.0.0.1:$SW_PORT"
ok "the switch still serves good clients" ofs client client ca dump-flows "$S"
stop_switch
finish
