#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Pipelined flow-mod load: N OpenFlow 1.3 FLOW_MOD ADDs (ip, distinct
ipv4_dst, output:2) written back to back, then one BARRIER_REQUEST; the
time runs from the first byte sent to the barrier reply. Unlike
`ovs-ofctl add-flows`, which waits for a barrier after every flow, this
measures what the switch itself can apply.

usage: flowmod_pipelined.py HOST PORT [N]
"""
import socket
import struct
import sys
import time


def recv_msg(s):
    hdr = b""
    while len(hdr) < 8:
        chunk = s.recv(8 - len(hdr))
        if not chunk:
            raise SystemExit("connection closed")
        hdr += chunk
    length = struct.unpack("!H", hdr[2:4])[0]
    body = b""
    while len(body) < length - 8:
        body += s.recv(length - 8 - len(body))
    return hdr + body


def flow_mod(xid, dst):
    match = struct.pack("!HHIHII", 1, 4 + 6 + 8, 0x80000A02, 0x0800, 0x80001804, dst)
    match += b"\0" * (-len(match) % 8)
    inst = struct.pack("!HHxxxx", 4, 8 + 16) + struct.pack("!HHIHxxxxxx", 0, 16, 2, 0xffff)
    body = struct.pack("!QQBBHHHIIIHxx", 0, 0, 0, 0, 0, 0, 100, 0xffffffff, 0xffffffff,
                       0xffffffff, 0) + match + inst
    return struct.pack("!BBHI", 4, 14, 8 + len(body), xid) + body


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    msgs = b"".join(flow_mod(i + 2, 0x0a000000 + i) for i in range(n))
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(bytes.fromhex("04000010000000010001000800000010"))
    recv_msg(s)
    t0 = time.monotonic()
    s.sendall(msgs + bytes.fromhex("04140008ffffffff"))
    while True:
        m = recv_msg(s)
        if m[1] == 1:
            raise SystemExit("error from the switch: %s" % m.hex())
        if m[1] == 21:
            break
    dt = time.monotonic() - t0
    print("pipelined flow mods: %d in %.3f s, %.0f flow-mods/s" % (n, dt, n / dt))


if __name__ == "__main__":
    main()
