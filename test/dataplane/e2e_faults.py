#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Faults end to end, through the ofswitch executable: net_null ports that
receive at line rate, controllers played by ofpeer.py.

  stalled controller  a controller that stops reading under a packet-in
                      flood: the switch's memory stays flat, matched
                      traffic keeps flowing, the drops are counted, and
                      the controller is answered once it reads again
  packet-in rate      the per-connection limit holds within 10 %
  controller loss     kill -9 under traffic: secure mode keeps forwarding
                      by the flows, timeouts expire, the switch dials
                      again until the controller is back; standalone
                      mode learns while it is gone and stops when it is
                      back
  del-port            ports deleted and added while they forward
  vhost peer          a virtio-user peer (ofs-pktgen) killed -9 mid-burst
                      and back, again and again: the switch lives on,
                      forwards again each time, and holds no mbufs

usage: e2e_faults.py PATH/TO/ofswitch PATH/TO/ofswitch-ctl PATH/TO/ofs-pktgen
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import Switch, wait_until  # noqa: E402

OFSWITCH, CTL, PKTGEN = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "..", "..", "tools", "benchlib", "ofpeer.py")
TMP = tempfile.mkdtemp(prefix="ofs-faults-")
os.environ["OVS_RUNDIR"] = TMP  # ovs-ofctl: never /var/run/openvswitch
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by
# default) before reuse, which reads as growth; a small one keeps the
# memory checks about the switch's own queues (without ASan, unused).
os.environ["ASAN_OPTIONS"] = ":".join(
    x for x in [os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=4"] if x)
PASSED, FAILED = [], []
LIVE = []  # Switches and peers to stop at the end, whatever happened.


def log(msg):
    print(msg, flush=True)


def check(name, fn):
    try:
        why = fn()
    except Exception as e:  # A broken case must not stop the others.
        why = f"{type(e).__name__}: {e}"
    (FAILED if why else PASSED).append(name)
    log(f"{'FAIL' if why else 'ok  '} {name}" + (f"\n     {why}" if why else ""))


class Peer:
    """ofpeer.py in its own process (so that it can be killed -9)."""

    def __init__(self, mode, port=None, prefix=()):
        self.portfile = os.path.join(TMP, f"peer-{time.monotonic_ns()}")
        args = list(prefix) + ["/usr/bin/python3", PEER, self.portfile, mode]
        self.proc = subprocess.Popen(args + ([str(port)] if port else []),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        LIVE.append(self)
        wait_until(lambda: os.path.exists(self.portfile) or self.proc.poll() is not None,
                   "ofpeer.py to listen")
        if self.proc.poll() is not None:
            raise RuntimeError("ofpeer.py: " + self.proc.stdout.read())
        self.port = int(open(self.portfile).read())

    def reports(self, timeout=15):
        """Its JSON lines, after it exits (SIGTERM it first if it waits)."""
        out = self.proc.communicate(timeout=timeout)[0]
        return [json.loads(x) for x in out.splitlines() if x.startswith("{")]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def start(name, ports, options=(), prefix=()):
    sw = Switch(OFSWITCH, CTL, TMP, name, ports, options, prefix=prefix)
    LIVE.append(sw)
    return sw


def connected(sw, target):
    c = sw.controller(target)
    return c if c and c["state"] == "connected" else None


def tx_rate(sw, port, seconds=0.5):
    """Packets per second port sent over a short window."""
    a = sw.port(port)["tx_packets"]
    time.sleep(seconds)
    return (sw.port(port)["tx_packets"] - a) / seconds


NULLS = [(1, "net_null_f1"), (2, "net_null_f2"), (3, "net_null_f3,no-rx=1")]


def stalled_controller():
    peer = Peer("stall")
    target = f"tcp:127.0.0.1:{peer.port}"
    sw = start("stall", NULLS, ["--controller", target, "--packet-in-rate", "0",
                                "--stall-timeout", "60"])
    sw.of("add-flow", "priority=0,actions=CONTROLLER:65535")  # Port 1's flood misses.
    sw.of("add-flow", "priority=5,in_port=2,actions=output:3")  # Matched traffic.
    wait_until(lambda: connected(sw, target), "the switch to connect to the controller")
    wait_until(lambda: sw.controller(target)["pin_backlog_drops"] > 0,
               "packet-ins dropped behind the stalled controller")
    # Three seconds of flood against a controller that reads nothing (it
    # must read again before the inactivity probe, 10 s, gives up on it).
    rss0 = sw.rss_kb()
    rate = tx_rate(sw, 3, 3.0)
    rss1 = sw.rss_kb()
    c = sw.controller(target)
    if rss1 - rss0 > 20 * 1024:
        return f"memory grew from {rss0} to {rss1} kB in 3 s under the flood"
    if rate < 10000:
        return f"matched traffic slowed to {rate:.0f} packets/s"
    if c["backlog"] > 2 * 1024 * 1024:
        return f"{c['backlog']} bytes queued for the stalled controller"
    os.kill(peer.proc.pid, signal.SIGUSR1)  # Reads again, sends an ECHO_REQUEST.
    r = peer.reports()
    if {"echo_reply": True} not in r:
        return f"no ECHO_REPLY once the controller read again: {r}"
    log(f"     rss {rss0} -> {rss1} kB over 3 s, matched traffic {rate / 1e6:.2f} Mpps, "
        f"{c['pin_backlog_drops']} packet-ins dropped behind it")
    return None if sw.stop() == 0 else "ofswitch did not stop cleanly: " + sw.log_text()[-600:]


def packet_in_rate():
    peer = Peer("answer")
    target = f"tcp:127.0.0.1:{peer.port}"
    sw = start("rate", NULLS, ["--controller", target, "--packet-in-rate", "500/50"])
    sw.of("add-flow", "priority=0,actions=CONTROLLER:64")
    wait_until(lambda: connected(sw, target), "the switch to connect to the controller")
    wait_until(lambda: sw.controller(target)["pin_rate_drops"] > 0, "the limit to bite")
    a, t0 = sw.controller(target)["packet_ins"], time.monotonic()
    time.sleep(3)
    b, t1 = sw.controller(target)["packet_ins"], time.monotonic()
    rate = (b - a) / (t1 - t0)
    peer.proc.send_signal(signal.SIGTERM)
    got = [x["packet_ins"] for x in peer.reports() if "packet_ins" in x]
    log(f"     {rate:.0f} packet-ins/s with a limit of 500/s; the controller got {got}")
    if abs(rate - 500) > 50:
        return f"{rate:.0f} packet-ins/s, want 500 within 10 %"
    if not got or got[0] < b - 100:
        return f"the controller received {got}, the switch sent {b}"
    return None if sw.stop() == 0 else "ofswitch did not stop cleanly"


def controller_loss_secure():
    peer = Peer("answer")
    target = f"tcp:127.0.0.1:{peer.port}"
    sw = start("secure", NULLS, ["--controller", target])
    sw.of("add-flow", "priority=5,in_port=2,actions=output:3")
    # OpenFlow 1.3.5 sends FLOW_REMOVED on the connections there are
    # (6.5, 6.1.1): one for a flow that expires while no controller is
    # connected goes nowhere, and is not queued for a controller that
    # comes back (Open vSwitch does the same).
    sw.of("add-flow", "cookie=0x1,priority=9,in_port=9,hard_timeout=2,send_flow_rem,actions=drop")
    wait_until(lambda: connected(sw, target), "the switch to connect to the controller")
    peer.proc.kill()  # kill -9 under traffic
    peer.proc.wait()
    wait_until(lambda: not connected(sw, target), "the switch to see the controller gone")
    rate = tx_rate(sw, 3, 1.0)
    if rate < 10000:
        return f"fail secure stopped forwarding by the flows: {rate:.0f} packets/s"
    wait_until(lambda: "in_port=9" not in sw.ctl("flows"), "the hard timeout to expire", 6)
    back = Peer("answer", peer.port)
    wait_until(lambda: connected(sw, target), "the switch to dial the controller again", 20)
    sw.of("add-flow", "cookie=0x2,priority=9,in_port=8,hard_timeout=1,send_flow_rem,actions=drop")
    wait_until(lambda: "in_port=8" not in sw.ctl("flows"), "the second hard timeout to expire", 6)
    back.proc.send_signal(signal.SIGTERM)
    removed = [r for r in back.reports() if "flow_removed" in r][0]["flow_removed"]
    log(f"     FLOW_REMOVED cookies the returning controller got: {removed}")
    if removed != [2]:
        return f"the returning controller got FLOW_REMOVED for cookies {removed}, not [2]"
    return None if sw.stop() == 0 else "ofswitch did not stop cleanly"


def broadcast_pcap():
    """A file of one broadcast frame, for a port that replays it forever."""
    path = os.path.join(TMP, "bcast.pcap")
    frame = bytes.fromhex("ffffffffffff020000000001" "0800" "45000020000000004011" "0000"
                          "0a0000010a0000ff" "04d204d2000c0000" "abcd")
    with open(path, "wb") as f:  # Header, then one record: ts, caplen, len.
        f.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
        f.write(bytes(8) + len(frame).to_bytes(4, "little") * 2 + frame)
    return path


def controller_loss_standalone():
    peer = Peer("answer")
    target = f"tcp:127.0.0.1:{peer.port}"
    # Port 1 floods broadcasts, which standalone mode floods to port 3.
    ports = [(1, f"net_pcap_fb1,rx_pcap={broadcast_pcap()},tx_pcap=/dev/null,infinite_rx=1"),
             (3, "net_null_fb3,no-rx=1")]
    sw = start("standalone", ports, ["--controller", target, "--fail-mode", "standalone"])
    wait_until(lambda: connected(sw, target), "the switch to connect to the controller")
    wait_until(lambda: tx_rate(sw, 3, 0.2) == 0, "OpenFlow (no flows) to stop the flood")
    peer.proc.kill()
    peer.proc.wait()
    wait_until(lambda: tx_rate(sw, 3, 0.2) > 10000, "standalone learning to forward", 15)
    back = Peer("answer", peer.port)
    wait_until(lambda: connected(sw, target), "the switch to dial the controller again", 20)
    wait_until(lambda: tx_rate(sw, 3, 0.2) == 0, "the controller's (empty) tables to rule again")
    text = sw.log_text()
    if "entering standalone" not in text or "leaving standalone" not in text:
        return "the log does not show standalone mode entered and left"
    back.proc.send_signal(signal.SIGTERM)
    back.reports()
    return None if sw.stop() == 0 else "ofswitch did not stop cleanly"


def del_port_under_traffic():
    sw = start("delport", NULLS)
    sw.of("add-flow", "in_port=1,actions=output:3")
    sw.of("add-flow", "in_port=2,actions=output:3")
    for i in range(10):
        sw.ctl("del-port", "2")
        if tx_rate(sw, 3, 0.1) < 1000:
            return f"round {i}: port 1's traffic stopped when port 2 went"
        sw.ctl("add-port", "2", f"net_null_f2r{i}")
    if sw.port(2)["rx_packets"] == 0:
        return "the re-added port 2 receives nothing"
    return None if sw.stop() == 0 else "ofswitch did not stop cleanly: " + sw.log_text()[-600:]


def vhost_peer_comes_and_goes():
    socks = [os.path.join(TMP, f"vh{n}.sock") for n in (1, 2)]
    sw = start("vhost", [(1, f"net_vhost1,iface={socks[0]},queues=1"),
                         (2, f"net_vhost2,iface={socks[1]},queues=1")])
    sw.of("add-flow", "in_port=1,actions=output:2")
    mbufs0 = sw.json("pmd-stats")["mbufs_in_use"]
    for i in range(6):
        err = os.path.join(TMP, f"vhost-gen{i}.err")
        argv = [PKTGEN, "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
                "--no-telemetry", f"--file-prefix=ofs-vhgen-{os.getpid()}-{i}", "--",
                "--tx-port", f"net_virtio_user1,path={socks[0]},queues=1",
                "--rx-port", f"net_virtio_user2,path={socks[1]},queues=1",
                "--rate", "0.2", "--warmup", "0.5", "--duration", "1", "--json"]
        with open(err, "w") as f:
            gen = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=f, text=True)
        try:
            sent = sw.port(2)["tx_packets"]
            wait_until(lambda: sw.port(2)["tx_packets"] > sent + 1000 or gen.poll() is not None,
                       f"round {i}: the switch forwarding the peer's packets")
            if gen.poll() is not None:
                return f"round {i}: the generator ended early: {open(err).read()[-400:]}"
            if i % 2 == 0:  # Mid-burst: it is sending at 0.2 Mpps.
                gen.kill()
                gen.wait()
                continue
            out, _ = gen.communicate(timeout=30)
            res = json.loads(out)
            if gen.returncode != 0 or res["loss"]["percent"] > 1.0:
                return f"round {i} (after a kill): loss {res['loss']['percent']} %, " \
                       f"exit {gen.returncode}"
        finally:
            if gen.poll() is None:
                gen.kill()
                gen.wait()
        if sw.proc.poll() is not None:
            return f"round {i}: ofswitch died: " + sw.log_text()[-600:]
    mbufs1 = sw.json("pmd-stats")["mbufs_in_use"]
    log(f"     6 rounds (3 killed mid-burst), mbufs in use {mbufs0} -> {mbufs1}")
    if mbufs1 > mbufs0 + 64:
        return f"mbufs in use grew from {mbufs0} to {mbufs1}"
    return None if sw.stop() == 0 else "ofswitch did not stop cleanly: " + sw.log_text()[-600:]


def link_flaps():
    ns = f"ofsflap{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        inside = ["ip", "netns", "exec", ns]
        subprocess.run(inside + ["ip", "link", "set", "lo", "up"], check=True)
        peer = Peer("answer", prefix=inside)
        target = f"tcp:127.0.0.1:{peer.port}"
        sw = start("flaps", [(1, "net_tap_flap,iface=tapflap0"), (2, "net_null_fl2,no-rx=1")],
                   ["--controller", target], prefix=inside)
        wait_until(lambda: connected(sw, target), "the switch to connect to the controller")
        for _ in range(20):  # Ten down-up cycles a second, for two seconds.
            subprocess.run(inside + ["ip", "link", "set", "tapflap0", "down"], check=True)
            time.sleep(0.05)
            subprocess.run(inside + ["ip", "link", "set", "tapflap0", "up"], check=True)
            time.sleep(0.05)
        wait_until(lambda: any(p["port"] == 1 and p["link"] == "up"
                               for p in sw.json("show")["ports"]), "port 1's link to be up")
        peer.proc.send_signal(signal.SIGTERM)
        ps = [x["port_status"] for x in peer.reports() if "port_status" in x]
        log(f"     the controller saw {ps} PORT_STATUS for 40 link changes")
        if not ps or ps[0] < 10:
            return f"the controller saw {ps} PORT_STATUS messages"
        return None if sw.stop() == 0 else "ofswitch did not stop cleanly: " + sw.log_text()[-600:]
    finally:
        subprocess.run(["ip", "netns", "del", ns])


def main():
    check("stalled controller under a packet-in flood: memory bounded, traffic flows, "
          "answered again", stalled_controller)
    check("packet-in rate limit within 10 %", packet_in_rate)
    check("controller killed (fail secure): forwarding, timeouts, reconnection",
          controller_loss_secure)
    check("controller killed (fail standalone): learning while it is gone",
          controller_loss_standalone)
    check("del-port and add-port while forwarding", del_port_under_traffic)
    check("link flaps at 10/s: PORT_STATUS, the link up again", link_flaps)
    check("vhost-user peer killed mid-burst and back, six times", vhost_peer_comes_and_goes)
    log(f"{len(PASSED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        for x in LIVE:
            x.stop()
        subprocess.run(["rm", "-rf", TMP])
    sys.exit(rc)
