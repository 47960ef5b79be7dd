#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Send raw OpenFlow 1.3 messages (hex arguments) to a switch and print
every reply as one line of hex, until the barrier this script appends is
answered. For the e2e tests: requests ovs-ofctl refuses to build (a match
missing its prerequisite, buffer ids, ...) still reach the switch, and
`ovs-ofctl ofp-print` names the errors that come back.

usage: ofraw.py HOST PORT HEX [HEX ...]
"""
import socket
import struct
import sys


def recv_msg(s):
    hdr = b""
    while len(hdr) < 8:
        chunk = s.recv(8 - len(hdr))
        if not chunk:
            raise SystemExit("ofraw: connection closed")
        hdr += chunk
    length = struct.unpack("!H", hdr[2:4])[0]
    body = b""
    while len(body) < length - 8:
        chunk = s.recv(length - 8 - len(body))
        if not chunk:
            raise SystemExit("ofraw: connection closed")
        body += chunk
    return hdr + body


def main():
    host, port, msgs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(bytes.fromhex("04000010000000010001000800000010"))  # HELLO, bitmap 1.3
    if recv_msg(s)[1] != 0:
        raise SystemExit("ofraw: no HELLO")
    for m in msgs:
        s.sendall(bytes.fromhex(m.replace(" ", "")))
    s.sendall(bytes.fromhex("04140008ffffffff"))  # BARRIER_REQUEST xid 0xffffffff
    while True:
        m = recv_msg(s)
        if m[1] == 21 and m[4:8] == b"\xff\xff\xff\xff":
            break
        print(m.hex())
    s.close()


if __name__ == "__main__":
    main()
