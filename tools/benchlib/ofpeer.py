#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal OpenFlow 1.3 controller for the fault tests and tools/soak: it
listens, takes the switch's connection, exchanges HELLO and then behaves as
told.

usage: ofpeer.py PORTFILE MODE [PORT]
  PORTFILE  written with the TCP port it listens on (127.0.0.1; PORT, else
            an ephemeral one), once it listens
  MODE      answer  answer ECHO_REQUESTs, count PACKET_INs and PORT_STATUS,
                    note the cookie of each FLOW_REMOVED
            stall   stop reading after the HELLO; on SIGUSR1 read again,
                    send an ECHO_REQUEST and report whether it was answered
Reports are JSON lines on stdout: {"connected": 1}, {"packet_ins": N,
"port_status": M, "flow_removed": [COOKIE, ...], "seconds": S} on SIGTERM, {"echo_reply": true} after SIGUSR1 in stall mode.
"""
import json
import os
import select
import signal
import socket
import struct
import sys
import time

HELLO = bytes.fromhex("04000010000000010001000800000010")


def say(**kw):
    print(json.dumps(kw), flush=True)


class Conn:
    def __init__(self, s):
        self.s, self.buf = s, bytearray()

    def messages(self):
        """Every complete message received so far (non-blocking); a flood
        of them is split in linear time."""
        while True:
            try:
                chunk = self.s.recv(1 << 20, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            if not chunk:
                raise SystemExit(0)
            self.buf += chunk
        out, at = [], 0
        while len(self.buf) - at >= 8:
            n = struct.unpack_from("!H", self.buf, at + 2)[0]
            if len(self.buf) - at < n:
                break
            out.append(bytes(self.buf[at:at + n]))
            at += n
        del self.buf[:at]
        return out

    def answer_echo(self, m):
        if m[1] == 2:  # ECHO_REQUEST: the reply carries its xid
            self.s.sendall(bytes([4, 3]) + struct.pack("!H", 8) + m[4:8])


def main():
    portfile, mode = sys.argv[1], sys.argv[2]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(sys.argv[3]) if len(sys.argv) > 3 else 0))
    ls.listen(1)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    s, _ = ls.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c = Conn(s)
    s.sendall(HELLO)
    say(connected=1)
    state = {"resume": False, "stop": False}
    signal.signal(signal.SIGUSR1, lambda *_: state.update(resume=True))
    signal.signal(signal.SIGTERM, lambda *_: state.update(stop=True))
    t0, pins, ps = time.monotonic(), 0, 0
    if mode == "stall":
        # Take nothing more from the switch until told to.
        while not state["resume"] and not state["stop"]:
            time.sleep(0.05)
        if state["stop"]:
            return
        s.sendall(bytes.fromhex("0402000800abcdef"))  # ECHO_REQUEST xid 0xabcdef
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            select.select([s], [], [], 0.1)
            for m in c.messages():
                c.answer_echo(m)
                if m[1] == 3 and m[4:8] == bytes.fromhex("00abcdef"):
                    say(echo_reply=True)
                    return
        say(echo_reply=False)
        return
    removed = []

    def take(msgs):
        nonlocal pins, ps
        for m in msgs:
            pins += m[1] == 10
            ps += m[1] == 12
            if m[1] == 11 and len(m) >= 16:
                removed.append(struct.unpack_from("!Q", m, 8)[0])
            c.answer_echo(m)
    while not state["stop"]:
        select.select([s], [], [], 0.1)
        take(c.messages())
    take(c.messages())  # What was in the socket when told to stop.
    say(packet_ins=pins, port_status=ps, flow_removed=removed, seconds=time.monotonic() - t0)


if __name__ == "__main__":
    main()
