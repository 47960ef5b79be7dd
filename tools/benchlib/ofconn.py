# SPDX-License-Identifier: Apache-2.0
"""A minimal OpenFlow 1.3 client for flow-mod load: pipelined installs (all
flow mods written, then one barrier) and paced churn. It speaks only what
the benchmark needs: HELLO, FLOW_MOD on ipv4 destinations (optionally with
an ipv4 source), BARRIER, and PORT_STATS (a port's TX packets, sampled
over a run); any ERROR from the switch ends the run.

Run as a script it is the pipelined install benchmark:
    ofconn.py HOST PORT [N]
"""
import socket
import struct
import sys
import time

OFPT_ERROR, OFPT_FLOW_MOD, OFPT_BARRIER_REQUEST, OFPT_BARRIER_REPLY = 1, 14, 20, 21
OFPT_MULTIPART_REQUEST, OFPT_MULTIPART_REPLY, OFPMP_PORT_STATS = 18, 19, 4
OFPFC_ADD, OFPFC_MODIFY_STRICT, OFPFC_DELETE_STRICT = 0, 2, 4
OFPP_ANY, OFPG_ANY, NO_BUFFER = 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF


def _oxm_ipv4(field, value):
    return struct.pack("!II", 0x80000000 | (field << 9) | 4, value)


def flow_mod(xid, command, priority, nw_dst, out_port, nw_src=None, table=0):
    """One FLOW_MOD: ip, nw_dst (and nw_src) exact, apply-actions output."""
    oxms = struct.pack("!IH", 0x80000A02, 0x0800)  # eth_type = IPv4
    if nw_src is not None:
        oxms += _oxm_ipv4(11, nw_src)
    oxms += _oxm_ipv4(12, nw_dst)
    match = struct.pack("!HH", 1, 4 + len(oxms)) + oxms
    match += b"\0" * (-len(match) % 8)
    insts = b""
    if command != OFPFC_DELETE_STRICT:
        # max_len 0, as ovs-ofctl writes for a port that is not CONTROLLER.
        action = struct.pack("!HHIHxxxxxx", 0, 16, out_port, 0)
        insts = struct.pack("!HHxxxx", 4, 8 + len(action)) + action
    body = struct.pack("!QQBBHHHIIIHxx", 0, 0, table, command, 0, 0, priority, NO_BUFFER,
                       OFPP_ANY, OFPG_ANY, 0) + match + insts
    return struct.pack("!BBHI", 4, OFPT_FLOW_MOD, 8 + len(body), xid) + body


def barrier(xid):
    return struct.pack("!BBHI", 4, OFPT_BARRIER_REQUEST, 8, xid)


class Conn:
    """One OpenFlow connection to a switch listening on HOST:PORT."""

    def __init__(self, host, port, timeout=120.0):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.s.sendall(bytes.fromhex("04000010000000010001000800000010"))  # HELLO, bitmap 1.3
        self.recv()

    def close(self):
        self.s.close()

    def recv(self):
        """The next whole message; raises on an ERROR or a closed connection."""
        while True:
            if len(self.buf) >= 8:
                length = struct.unpack("!H", self.buf[2:4])[0]
                if len(self.buf) >= length:
                    msg, self.buf = self.buf[:length], self.buf[length:]
                    if msg[1] == OFPT_ERROR:
                        raise RuntimeError("OpenFlow error from the switch: " + msg[:32].hex())
                    return msg
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise RuntimeError("the switch closed the OpenFlow connection")
            self.buf += chunk

    def send(self, data):
        self.s.sendall(data)

    def wait_barrier(self, xid):
        while True:
            m = self.recv()
            if m[1] == OFPT_BARRIER_REPLY and struct.unpack("!I", m[4:8])[0] == xid:
                return

    def port_tx_packets(self, port, xid=0x7000):
        """PORT_STATS for PORT: its tx_packets."""
        self.send(struct.pack("!BBHIHHxxxxIxxxx", 4, OFPT_MULTIPART_REQUEST, 24, xid,
                              OFPMP_PORT_STATS, 0, port))
        while True:
            m = self.recv()
            if m[1] != OFPT_MULTIPART_REPLY or struct.unpack("!I", m[4:8])[0] != xid:
                continue
            body = m[16:]
            for off in range(0, len(body) - 111, 112):
                port_no, _, tx = struct.unpack_from("!I4xQQ", body, off)
                if port_no == port:
                    return tx
            raise RuntimeError("PORT_STATS reply without port %d" % port)


def route(i):
    """The i-th route address: 10.x.y.z counting up from 10.0.0.0 (as
    scenarios.flowmod_rules writes them for ovs-ofctl)."""
    return 0x0A000000 + i


def pipelined_install(host, port, n, priority=100, out_port=2):
    """N ADDs written back to back, then one barrier: flow-mods/s."""
    msgs = b"".join(flow_mod(i + 2, OFPFC_ADD, priority, route(i), out_port) for i in range(n))
    c = Conn(host, port)
    t0 = time.monotonic()
    c.send(msgs + barrier(0xFFFFFFFF))
    c.wait_barrier(0xFFFFFFFF)
    dt = time.monotonic() - t0
    c.close()
    return n / dt, dt


def churn(host, port, rate, seconds, dsts, unused_src, out_port=2, other_port=1,
          progress=None):
    """Flow mods at RATE per second for SECONDS, paced in 10 ms slices:
    half MODIFY_STRICT of live routes (same action: each forces the cache
    to revalidate what that route covers), a quarter ADDs and a quarter
    DELETE_STRICTs of higher-priority rules on the same destinations that
    also match an ipv4 source the traffic never uses and would send to
    OTHER_PORT. A cache that applies them wrongly misforwards. Returns the
    flow mods acknowledged by barriers and the achieved rate; PROGRESS, a
    dict, has "acked" (so far) kept up to date for a sampler to read."""
    c = Conn(host, port)
    # About 10 ms slices of a multiple of 4 flow mods, paced to RATE exactly.
    per_slice = 4 * max(1, -(-int(rate * 0.01) // 4))
    slice_s = per_slice / rate
    xid, acked, i = 2, 0, 0
    t0 = time.monotonic()
    deadline = t0 + seconds
    next_t = t0
    while next_t < deadline:
        parts = []
        for _ in range(per_slice // 4):
            d = dsts[i % len(dsts)]
            parts.append(flow_mod(xid, OFPFC_MODIFY_STRICT, 32, d, out_port))
            parts.append(flow_mod(xid + 1, OFPFC_MODIFY_STRICT, 32,
                                  dsts[(i + len(dsts) // 2) % len(dsts)], out_port))
            parts.append(flow_mod(xid + 2, OFPFC_ADD, 40, d, other_port, nw_src=unused_src))
            parts.append(flow_mod(xid + 3, OFPFC_DELETE_STRICT, 40, d, other_port,
                                  nw_src=unused_src))
            xid += 4
            i += 1
        parts.append(barrier(xid))
        c.send(b"".join(parts))
        c.wait_barrier(xid)
        xid += 1
        acked += per_slice
        if progress is not None:
            progress["acked"] = acked
        next_t += slice_s
        pause = next_t - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    dt = time.monotonic() - t0
    c.close()
    return acked, acked / dt


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    rate, dt = pipelined_install(host, port, n)
    print("pipelined flow mods: %d in %.3f s, %.0f flow-mods/s" % (n, dt, rate))


if __name__ == "__main__":
    main()
