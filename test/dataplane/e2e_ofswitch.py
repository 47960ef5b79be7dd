#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""End to end through the whole ofswitch executable: flows, groups and meters
installed with the real `ovs-ofctl -O OpenFlow13` over the agent, frames fed
from pcap files through net_pcap ports, and every output pcap compared with
the frames the flows require (scapy builds both, checksums included).

A pcap port replays its file as soon as it starts, so each case installs its
flows first and then hot-adds the ports with `ofswitch-ctl add-port`;
deleting them flushes the output files.

usage: e2e_ofswitch.py PATH/TO/ofswitch PATH/TO/ofswitch-ctl
"""

import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

from scapy.all import IP, TCP, UDP, Dot1Q, Ether, Raw, rdpcap, wrpcap  # noqa: E402
from scapy.contrib.mpls import MPLS  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import wait_until  # noqa: E402

OFSWITCH, CTL = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="ofs-e2e-")
# Open vSwitch tools (ovs-ofctl monitor) keep their control sockets here, not
# in /var/run/openvswitch, which a fresh machine does not have.
os.environ["OVS_RUNDIR"] = TMP
PASSED, FAILED = [], []
SW = None
DEV = [0]  # Unique vdev names: a name cannot be reused while one exists.


def log(msg):
    print(msg, flush=True)


def ctl(*args, check=True):
    r = subprocess.run([CTL, "-t", SOCK] + list(args), capture_output=True, text=True, timeout=20)
    if check and r.returncode:
        raise RuntimeError(f"ofswitch-ctl {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def of(*args):
    subprocess.run(["ovs-ofctl", "-O", "OpenFlow13"] + list(args[:1]) + [TARGET] + list(args[1:]),
                   check=True, capture_output=True, text=True, timeout=20)


class Monitor:
    """`ovs-ofctl monitor` on the switch, its output collected by a thread;
    started() returns once the switch lists its connection as connected."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(["ovs-ofctl", "-O", "OpenFlow13", "monitor", TARGET] +
                                     list(args) + [f"--unixctl={TMP}/monitor.ctl"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        wait_until(self._connected, "ovs-ofctl monitor to connect")

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def _connected(self):
        if self.proc.poll() is not None:
            raise RuntimeError("ovs-ofctl monitor exited: " + "".join(self.lines)[-400:])
        r = subprocess.run(["ss", "-Htnp", "state", "established"], capture_output=True,
                           text=True)
        mine = [ln.split()[2] for ln in r.stdout.splitlines() if f"pid={self.proc.pid}," in ln]
        if not mine:
            return False
        peers = [c["peer"] for c in json.loads(ctl("--json", "show"))["controllers"]
                 if c["state"] == "connected"]
        return any(p in peers for p in mine)

    def text(self):
        return "".join(self.lines)

    def wait_for(self, pattern, what):
        """Wait until the output matches the regular expression."""
        return wait_until(lambda: re.search(pattern, self.text()), what)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)


def port_stats():
    return {p["port"]: p for p in json.loads(ctl("--json", "ports"))["ports"]}


def frame(**kw):
    """A UDP frame from host 1 to host 2 (scapy fills the checksums)."""
    sport = kw.pop("sport", 1000)
    vlan = kw.pop("vlan", None)
    ttl = kw.pop("ttl", 64)
    l2 = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    return l2 / IP(src="10.0.0.1", dst="10.0.0.2", ttl=ttl) / UDP(sport=sport, dport=2000) / \
        Raw(b"ofswitch-e2e-frame")


def with_pcp(f, pcp):
    f[Dot1Q].prio = pcp
    return f


def run_ports(inputs, outputs, wait_rx=True):
    """Add pcap ports (outputs first, the ports with input last), wait until
    every input frame was received and output stopped growing, delete the
    ports, and return {port: [bytes]} of what each port sent."""
    files = {}
    order = sorted(p for p in outputs if p not in inputs) + sorted(inputs)
    for p in order:
        rx = os.path.join(TMP, f"in{p}.pcap")
        wrpcap(rx, inputs.get(p, []), linktype=1)
        tx = os.path.join(TMP, f"out{p}.pcap")
        if os.path.exists(tx):
            os.unlink(tx)
        DEV[0] += 1
        ctl("add-port", str(p), f"net_pcap{DEV[0]},rx_pcap={rx},tx_pcap={tx}")
        files[p] = tx
    want = {p: len(fr) for p, fr in inputs.items()}
    deadline = time.time() + 10
    last = None
    while time.time() < deadline:
        st = port_stats()
        done = all(st.get(p, {}).get("rx_packets", 0) >= n for p, n in want.items()) or not wait_rx
        tx = tuple(st.get(p, {}).get("tx_packets", 0) for p in order)
        if done and tx == last:
            break
        last = tx
        time.sleep(0.15)
    for p in order:
        ctl("del-port", str(p))
    return {p: [bytes(x) for x in rdpcap(files[p])] if os.path.getsize(files[p]) > 24 else []
            for p in outputs}


def read_pcapng(path):
    """(frame bytes, sent) of every enhanced packet block, checking the
    section and interface headers on the way (Ethernet, ns timestamps)."""
    data = open(path, "rb").read()
    frames, ofs, linktype = [], 0, None
    while ofs < len(data):
        btype, blen = struct.unpack_from("<II", data, ofs)
        if struct.unpack_from("<I", data, ofs + blen - 4)[0] != blen:
            raise ValueError(f"block at {ofs}: trailing length differs")
        body = data[ofs + 8:ofs + blen - 4]
        if btype == 0x0A0D0D0A:
            if struct.unpack_from("<I", body)[0] != 0x1A2B3C4D:
                raise ValueError("bad byte-order magic")
        elif btype == 1:
            linktype = struct.unpack_from("<H", body)[0]
        elif btype == 6:
            _, _, _, caplen, _ = struct.unpack_from("<IIIII", body)
            frame = body[20:20 + caplen]
            opts = body[20 + ((caplen + 3) & ~3):]
            sent = None
            while len(opts) >= 4:
                code, olen = struct.unpack_from("<HH", opts)
                if code == 2:
                    sent = (struct.unpack_from("<I", opts, 4)[0] & 3) == 2
                if code == 0:
                    break
                opts = opts[4 + ((olen + 3) & ~3):]
            frames.append((frame, sent))
        ofs += blen
    if linktype != 1:
        raise ValueError(f"interface link type {linktype}, want 1 (Ethernet)")
    return frames


def reset():
    of("del-flows")
    of("del-groups")
    of("del-meters")


def case(name, flows, inputs, expect, groups=(), meters=(), check=None):
    """expect: {port: [scapy frames]} compared exactly, in order; check: a
    function of the outputs returning None or a failure reason."""
    try:
        reset()
        for g in groups:
            of("add-group", g)
        for m in meters:
            of("add-meter", m)
        for f in flows:
            of("add-flow", f)
        out = run_ports(inputs, set(expect) | {2, 3})
        why = None
        for port, frames in expect.items():
            got, want = out.get(port, []), [bytes(f) for f in frames]
            if got != want:
                why = f"port {port}: got {len(got)} frame(s), want {len(want)}"
                for g, w in zip(got, want):
                    if g != w:
                        why += f"\n  first difference:\n  got  {g.hex()}\n  want {w.hex()}"
                        break
                break
        if why is None and check:
            why = check(out)
    except Exception as e:  # A broken case must not stop the others.
        why = f"{type(e).__name__}: {e}"
    (FAILED if why else PASSED).append(name)
    log(f"{'FAIL' if why else 'ok  '} {name}" + (f"\n     {why}" if why else ""))


def cleanup(*_):
    if SW and SW.poll() is None:
        SW.send_signal(signal.SIGTERM)
        try:
            SW.wait(timeout=10)
        except subprocess.TimeoutExpired:
            SW.kill()
            SW.wait()
    subprocess.run(["rm", "-rf", TMP])


def main():
    global SW, SOCK, TARGET
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    SOCK = os.path.join(TMP, "ofswitch.ctl")
    logf = open(os.path.join(TMP, "switch.log"), "w")
    SW = subprocess.Popen([OFSWITCH, "-l", "0-1", "--no-huge", "-m", "512", "--no-pci",
                           "--no-shconf", "--no-telemetry", f"--file-prefix=ofs-e2e-{os.getpid()}",
                           "--", "--port", "100=net_null0,no-rx=1", "--controller", "ptcp:0",
                           "--ctl-socket", SOCK], stdout=logf, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: os.path.exists(SOCK) or SW.poll() is not None, "the control socket")
    except TimeoutError:
        pass
    if not os.path.exists(SOCK):
        logf.flush()
        log("ofswitch did not start:\n" + open(os.path.join(TMP, "switch.log")).read())
        return 1
    show = json.loads(ctl("--json", "show"))
    port = re.match(r"ptcp:(\d+):", show["controllers"][0]["target"]).group(1)
    TARGET = f"tcp:127.0.0.1:{port}"

    three = [frame(sport=1000 + i) for i in range(3)]
    case("output to a port", ["in_port=1,actions=output:2"], {1: three}, {2: three, 3: []})
    case("table miss: dropped", [], {1: three}, {2: [], 3: []})
    case("IN_PORT and ALL", ["in_port=1,actions=output:in_port,output:all"], {1: three[:1]},
         {1: three[:1], 2: three[:1], 3: three[:1]})

    # VLAN
    case("push_vlan + set vlan_vid",
         ["in_port=1,actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:2"],
         {1: three}, {2: [frame(sport=1000 + i, vlan=100) for i in range(3)]})
    case("pop_vlan", ["in_port=1,dl_vlan=100,actions=pop_vlan,output:2"],
         {1: [frame(sport=1000 + i, vlan=100) for i in range(3)]}, {2: three})
    case("set vlan_pcp on a tagged frame",
         ["in_port=1,dl_vlan=100,actions=set_field:5->vlan_pcp,output:2"],
         {1: [frame(vlan=100)]}, {2: [with_pcp(frame(vlan=100), 5)]})

    # MPLS
    def mpls_frame(label, ttl=64):
        inner = IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1000, dport=2000) / \
            Raw(b"ofswitch-e2e-frame")
        return Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02", type=0x8847) / \
            MPLS(label=label, cos=0, s=1, ttl=ttl) / inner
    case("push_mpls + set mpls_label",
         ["in_port=1,ip,actions=push_mpls:0x8847,set_field:42->mpls_label,output:2"],
         {1: three[:1]}, {2: [mpls_frame(42)]})
    case("pop_mpls", ["in_port=1,mpls,actions=pop_mpls:0x0800,output:2"],
         {1: [mpls_frame(42)]}, {2: three[:1]})
    case("dec_mpls_ttl", ["in_port=1,mpls,actions=dec_mpls_ttl,output:2"],
         {1: [mpls_frame(7, ttl=9)]}, {2: [mpls_frame(7, ttl=8)]})

    # Set-field on each layer, checksums recomputed (scapy's are the reference).
    def rewritten(**kw):
        f = frame()
        for layer, field, val in kw["changes"]:
            setattr(f[layer], field, val)
        del f[IP].chksum
        del f[UDP].chksum
        return Ether(bytes(f))
    case("set eth_src, ipv4_src, ipv4_dst, udp_src, udp_dst",
         ["in_port=1,udp,actions=set_field:02:aa:bb:cc:dd:ee->eth_src,"
          "set_field:192.168.7.7->nw_src,set_field:172.16.1.2->nw_dst,"
          "set_field:4321->udp_src,set_field:53->udp_dst,output:2"],
         {1: three[:1]},
         {2: [rewritten(changes=[(Ether, "src", "02:aa:bb:cc:dd:ee"), (IP, "src", "192.168.7.7"),
                                 (IP, "dst", "172.16.1.2"), (UDP, "sport", 4321),
                                 (UDP, "dport", 53)])]})
    tcp = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / \
        IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=1234, dport=80, flags="S") / Raw(b"hi")
    tcp_out = tcp.copy()
    tcp_out[TCP].dport = 8080
    tcp_out[IP].tos = 0x28  # ip_dscp 10
    del tcp_out[TCP].chksum
    del tcp_out[IP].chksum
    case("set tcp_dst and ip_dscp",
         ["in_port=1,tcp,actions=set_field:8080->tcp_dst,set_field:10->ip_dscp,output:2"],
         {1: [tcp]}, {2: [Ether(bytes(tcp_out))]})

    # TTL
    ttl_out = frame(ttl=63)
    case("dec_ttl", ["in_port=1,ip,actions=dec_ttl,output:2"], {1: [frame()]}, {2: [ttl_out]})
    case("dec_ttl at TTL 1 drops", ["in_port=1,ip,actions=dec_ttl,output:2"],
         {1: [frame(ttl=1)]}, {2: []})

    # Multi-table with metadata.
    case("goto_table with write_metadata",
         ["table=0,in_port=1,actions=write_metadata:0x5/0xff,goto_table:1",
          "table=1,metadata=0x5/0xff,actions=output:3",
          "table=1,priority=0,actions=output:2"],
         {1: three}, {2: [], 3: three})

    # Groups.
    case("group ALL clones to every bucket", ["in_port=1,actions=group:1"], {1: three},
         {2: three, 3: three}, groups=["group_id=1,type=all,bucket=output:2,bucket=output:3"])
    case("group INDIRECT", ["in_port=1,actions=group:2"], {1: three}, {3: three, 2: []},
         groups=["group_id=2,type=indirect,bucket=output:3"])
    many = [frame(sport=2000 + i) for i in range(64)]

    def spread(out):
        a, b = len(out.get(2, [])), len(out.get(3, []))
        if a + b != 64:
            return f"select sent {a} + {b}, want 64 in all"
        if a < 8 or b < 8:
            return f"select did not spread flows: {a} and {b}"
        return None
    case("group SELECT spreads flows over buckets", ["in_port=1,actions=group:3"], {1: many},
         {}, groups=["group_id=3,type=select,bucket=weight:1,output:2,bucket=weight:1,output:3"],
         check=spread)
    case("group FF: a dead watch port falls through", ["in_port=1,actions=group:4"], {1: three},
         {2: [], 3: three},
         groups=["group_id=4,type=fast_failover,bucket=watch_port:9,output:2,"
                 "bucket=watch_port:3,output:3"])

    # Meters: 200 frames arrive at once; a 10-packet burst passes.
    burst = [frame(sport=3000 + i) for i in range(200)]

    def metered(out):
        n = len(out.get(2, []))
        return None if 5 <= n <= 40 else f"{n} of 200 frames passed a 1 pkt/s, burst 10 meter"
    case("meter drop band (pktps, burst)", ["in_port=1,actions=meter:1,output:2"], {1: burst},
         {}, meters=["meter=1,pktps,burst,band=type=drop,rate=1,burst_size=10"], check=metered)

    # Packet-in and packet-out through a controller connection.
    mon = Monitor("65534")

    def got_packet_in(out):
        try:
            mon.wait_for(r"OFPT_PACKET_IN(.|\n)*in_port=1", "a PACKET_IN from in_port=1")
            return None
        except TimeoutError:
            return "no PACKET_IN from in_port=1 reached ovs-ofctl monitor:\n" + mon.text()[-600:]
        finally:
            mon.stop()
    case("table-miss rule: packet-in to the controller",
         ["priority=0,actions=CONTROLLER:128"], {1: three[:1]}, {2: []}, check=got_packet_in)

    reset()
    DEV[0] += 1
    tx = os.path.join(TMP, "pout.pcap")
    rx = os.path.join(TMP, "pout_in.pcap")
    wrpcap(rx, [], linktype=1)
    ctl("add-port", "2", f"net_pcap{DEV[0]},rx_pcap={rx},tx_pcap={tx}")
    of("packet-out", f"in_port=controller packet={bytes(three[0]).hex()} actions=output:2")
    wait_until(lambda: port_stats().get(2, {}).get("tx_packets", 0) >= 1, "port 2 to send")
    ctl("del-port", "2")
    got = [bytes(x) for x in rdpcap(tx)] if os.path.getsize(tx) > 24 else []
    ok = got == [bytes(three[0])]
    (PASSED if ok else FAILED).append("packet-out")
    log(f"{'ok  ' if ok else 'FAIL'} packet-out: the controller's frame leaves port 2")

    # Capture: a port's frames, both ways, to pcapng, compared with what was
    # sent; then the flow caches that carried the traffic.
    def capture_case(name, port, want_sent):
        try:
            reset()
            of("add-flow", "in_port=1,actions=output:2")
            path = os.path.join(TMP, f"cap{port}.pcapng")
            DEV[0] += 1
            tx2 = os.path.join(TMP, "cap_out2.pcap")
            rx2 = os.path.join(TMP, "cap_in2.pcap")
            wrpcap(rx2, [], linktype=1)
            ctl("add-port", "2", f"net_pcap{DEV[0]},rx_pcap={rx2},tx_pcap={tx2}")
            DEV[0] += 1
            rx1 = os.path.join(TMP, "cap_in1.pcap")
            wrpcap(rx1, three, linktype=1)
            # Port 1 exists before its frames: a null port first, swapped
            # for the pcap port once the capture of port 1 or 2 runs.
            ctl("add-port", "1", f"net_null{DEV[0]},no-rx=1")
            cap = subprocess.Popen([CTL, "-t", SOCK, "capture", str(port), path, "--count", "3"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            # The switch creates the file and starts capturing in one step
            # of its (single) control thread, before it reads the next command.
            wait_until(lambda: os.path.exists(path) or cap.poll() is not None, "the capture")
            ctl("del-port", "1")
            DEV[0] += 1
            ctl("add-port", "1", f"net_pcap{DEV[0]},rx_pcap={rx1},tx_pcap={os.path.join(TMP, 'x.pcap')}")
            out = cap.communicate(timeout=15)[0]
            ctl("del-port", "1")
            ctl("del-port", "2")
            why = None
            if cap.returncode or "captured: 3 frame(s)" not in out:
                why = f"ofswitch-ctl capture: rc {cap.returncode}: {out.strip()}"
            else:
                frames = read_pcapng(path)
                got = [f for f, _ in frames]
                if got != [bytes(f) for f in three]:
                    why = f"captured {len(got)} frame(s) unlike the 3 sent"
                elif any(sent != want_sent for _, sent in frames):
                    why = f"direction flags {[s for _, s in frames]}, want all sent={want_sent}"
                elif [bytes(x) for x in rdpcap(path)] != got:
                    why = "scapy reads the pcapng differently"
        except Exception as e:
            why = f"{type(e).__name__}: {e}"
        (FAILED if why else PASSED).append(name)
        log(f"{'FAIL' if why else 'ok  '} {name}" + (f"\n     {why}" if why else ""))
    capture_case("capture: frames received by port 1, inbound", 1, False)
    capture_case("capture: frames sent by port 2, outbound", 2, True)

    def cache_ok():
        d = json.loads(ctl("--json", "cache"))
        w = d["workers"][0]
        hits = w["emc_hits"] + w["sig_hits"] + w["megaflow_hits"]
        # Every megaflow hit probed a subtable, a hinted one at most once;
        # the census answers some misses, never more than there were.
        probes = (w["subtable_probes"] >= w["megaflow_hits"] >= w["hint_hits"] and
                  w["hints"] in ("on", "off") and 0 <= w["census_misses"] <= w["misses"])
        return (w["misses"] >= 1 and hits >= 1 and w["entries"] >= 1 and len(d["masks"]) >= 1
                and probes, w)
    ok, w = cache_ok()
    (PASSED if ok else FAILED).append("cache")
    log(f"{'ok  ' if ok else 'FAIL'} cache: the worker's flow cache hit and installed" +
        ("" if ok else f"\n     {w}"))

    def pmd_stats_ok():
        d = json.loads(ctl("--json", "pmd-stats"))
        w = d["workers"][0]
        numbers = all(isinstance(w[k], (int, float)) for k in
                      ("busy_pct", "cycles_per_pkt", "miss_cycles_per_miss", "packets"))
        counted = (numbers and w["packets"] >= 1 and w["cycles_per_pkt"] > 0 and
                   w["misses"] >= 1 and w["miss_cycles_per_miss"] > 0 and d["tsc_mhz"] > 0)
        ctl("pmd-stats-clear")
        after = json.loads(ctl("--json", "pmd-stats"))["workers"][0]
        return counted and after["packets"] == 0 and after["misses"] == 0, (w, after)
    ok, w = pmd_stats_ok()
    (PASSED if ok else FAILED).append("pmd-stats")
    log(f"{'ok  ' if ok else 'FAIL'} pmd-stats: packets, cycles per packet and per miss, "
        "as JSON numbers; pmd-stats-clear resets them" + ("" if ok else f"\n     {w}"))

    def pmd_perf_ok():
        rows = [r for r in json.loads(ctl("--json", "pmd-perf"))["polls"] if r["worker"] == 0]
        bounds = [r["at_least_us"] for r in rows]
        polls = sum(r["polls"] for r in rows)
        pct = sum(r["pct"] for r in rows)
        # 16 buckets from 0, each twice the one before; the worker polls on.
        return (len(rows) == 16 and bounds[0] == 0 and
                all(abs(b2 - 2 * b1) < 0.02 for b1, b2 in zip(bounds[1:], bounds[2:])) and
                0.3 < bounds[1] <= 1.0 and polls > 0 and abs(pct - 100) < 0.1), rows
    ok, w = pmd_perf_ok()
    (PASSED if ok else FAILED).append("pmd-perf")
    log(f"{'ok  ' if ok else 'FAIL'} pmd-perf: the worker's polls by duration, in buckets "
        "doubling from ~1 us" + ("" if ok else f"\n     {w}"))

    # Ports at run time, seen by a controller as PORT_STATUS.
    mon = Monitor()
    DEV[0] += 1
    ctl("add-port", "7", f"net_null{DEV[0]},no-rx=1")
    ctl("del-port", "7")
    try:
        mon.wait_for(r"PORT_STATUS.*\n?.*ADD: *7\((.|\n)*PORT_STATUS.*\n?.*DEL(ETE)?: *7\(",
                     "PORT_STATUS ADD and DELETE of port 7")
        ok = True
    except TimeoutError:
        ok = False
    mon.stop()
    text = mon.text()
    (PASSED if ok else FAILED).append("port status")
    log(f"{'ok  ' if ok else 'FAIL'} add-port/del-port: the controller sees PORT_STATUS ADD and "
        "DELETE" + ("" if ok else "\n     " + text[-800:]))

    log(f"{len(PASSED)} passed, {len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        cleanup()
    sys.exit(rc)
