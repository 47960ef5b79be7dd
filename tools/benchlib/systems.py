# SPDX-License-Identifier: Apache-2.0
"""The three systems under test, each forwarding between two memif ports
(port 1 and port 2, servers on sockets in a private directory) with its
forwarding thread on CPU 1:

  ofswitch  the build's ofagent/ofswitch/ofswitch, OpenFlow on 127.0.0.1
  ovs       Open vSwitch's DPDK datapath (ovs-vswitchd-dpdk) with a private
            ovsdb, run directory and logs; bridge br0, OpenFlow 1.3
  testpmd   dpdk-testpmd io forwarding: no lookup at all, the ceiling

All expose the same small interface: start(), load_flows(), clear_stats(),
cycles_per_packet(), masks(), port_tx(), stop()."""
import json
import os
import re
import signal
import subprocess
import time

from . import procs

OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


def memif(n, d, role="server"):
    return "net_memif%d,role=%s,socket=%s/m%d.sock,socket-abstract=no" % (n, role, d, n)


def ofctl(target, command, *args, timeout=120):
    return procs.run(["ovs-ofctl", "-O", "OpenFlow13", command, target] + list(args),
                     timeout=timeout)


def flow_count(target):
    out = ofctl(target, "dump-aggregate")
    m = re.search(r"flow_count=(\d+)", out)
    if not m:
        raise procs.BenchError("dump-aggregate: no flow_count in %r" % out)
    return int(m.group(1))


def ofport_tx(target, port):
    out = ofctl(target, "dump-ports", str(port))
    m = re.search(r"tx pkts=(\d+)", out)
    return int(m.group(1)) if m else 0


def memif_ready(d):
    """Both memif servers listen: a generator can connect. (The socket file
    appears at bind(), before listen(); a client in between is refused.)"""
    want = {"%s/m%d.sock" % (d, n) for n in (1, 2)}
    return want <= procs.unix_listening()


FWD_CPU = 1  # each system's forwarding thread runs there (the lcore/PMD masks below)


class System:
    name = "?"
    port_queues = 1  # queues the generator must configure on each port
    has_openflow = True

    def __init__(self, root, mem, build):
        self.root, self.mem, self.build = root, mem, build
        self.dir = None
        self.of_port = None

    @property
    def target(self):
        return "tcp:127.0.0.1:%d" % self.of_port

    def load_flows(self, path, count):
        """ovs-ofctl add-flows PATH; checks the table then holds COUNT."""
        t0 = time.monotonic()
        ofctl(self.target, "add-flows", path, timeout=3600)
        dt = time.monotonic() - t0
        got = flow_count(self.target)
        if got != count:
            raise procs.BenchError("%s holds %d flows after add-flows, want %d"
                                   % (self.name, got, count))
        return dt

    def port_tx(self, port):
        return ofport_tx(self.target, port)

    def cache_size(self):
        """(entries, masks) of the flow cache, None where not known."""
        return None, None

    def cache_detail(self):
        """More about the cache where known (ofswitch)."""
        return {}

    def flush_cache(self):
        """Empty the flow cache (latency is measured while it fills again)."""

    def fill_polls(self):
        """What the forwarding core did in the latency run (ofswitch)."""
        return {}

    def ports_idle(self, idle):
        """Stop (IDLE) or resume polling the generator's ports. The generator
        leaves in between: DPDK 22.11's memif unmaps the shared rings on
        disconnect under a thread that may still poll them (Open vSwitch's
        PMD died of it in a full run). OpenFlow PORT_DOWN: ofswitch takes
        the ports out of its workers' poll lists, and ovs-ofctl waits for
        its barrier's reply, which comes after every worker adopted that;
        Open vSwitch turns the netdev down, which its PMD checks before each
        receive: a burst under way ends within the settling pause."""
        for port in ("1", "2"):
            ofctl(self.target, "mod-port", port, "down" if idle else "up")
        if idle:
            time.sleep(0.05)

    def pids(self):
        """The processes whose threads poll (paused and resumed as one)."""
        return [self.proc.pid]

    def pause(self, paused):
        """Freeze (SIGSTOP) or thaw (SIGCONT) the system's processes: a
        frozen system's polling threads leave the forwarding core to
        another system measured in between (runner.measure_traffic)."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGSTOP if paused else signal.SIGCONT)
            except ProcessLookupError:
                raise procs.BenchError("%s: process %d is gone (it exited or crashed during "
                                       "the scenario)" % (self.name, pid)) from None


class Ofswitch(System):
    name = "ofswitch"

    def start(self, tag, extra=()):
        """EXTRA: more ofswitch options (another controller, say)."""
        self.dir = procs.workdir(os.path.join(self.root, "ofswitch-" + tag))
        self.of_port = procs.free_tcp_port()
        self.ctl_sock = os.path.join(self.dir, "ctl")
        self.log = os.path.join(self.dir, "ofswitch.log")
        exe = os.path.join(self.build, "ofagent", "ofswitch", "ofswitch")
        argv = [exe, "-l", "0-1"] + self.mem.eal(1024) + procs.eal_common("bench-ofs") + [
            "--", "--port", "1=" + memif(1, self.dir), "--port", "2=" + memif(2, self.dir),
            "--controller", "ptcp:%d:127.0.0.1" % self.of_port, "--ctl-socket",
            self.ctl_sock] + list(extra)
        self.proc = procs.spawn(argv, self.log)
        procs.wait_for(lambda: procs.tcp_listening(self.of_port) and os.path.exists(self.ctl_sock)
                       and memif_ready(self.dir),
                       "ofswitch listening on OpenFlow, its control socket and its ports", 60,
                       self.proc, self.log)

    def ctl(self, *args):
        exe = os.path.join(self.build, "tools", "ofswitch-ctl")
        try:
            out = procs.run([exe, "-t", self.ctl_sock, "--json"] + list(args), timeout=30)
        except procs.BenchError:
            try:  # A dying switch may still be writing its sanitizer report.
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                raise
            raise procs.BenchError("ofswitch exited with status %d: %s" % (
                self.proc.returncode, procs.log_tail(self.log)))
        return json.loads(out) if out.strip() else {}

    def clear_stats(self):
        self.ctl("pmd-stats-clear")

    def cycles_per_packet(self):
        w = self.ctl("pmd-stats")["workers"]
        pk = sum(x["packets"] for x in w)
        return sum(x["cycles_per_pkt"] * x["packets"] for x in w) / pk if pk else None

    def cache_size(self):
        w = self.ctl("cache")["workers"]
        return sum(x["entries"] for x in w), sum(x["masks"] for x in w)

    def cache_detail(self):
        """Stages, entries per stage, hit %, and the miss path's share of
        the forwarding core's busy cycles."""
        c = self.ctl("cache")
        per = {}
        for row in c.get("stage_entries", []):
            per[row["stage"]] = per.get(row["stage"], 0) + row["entries"]
        w = self.ctl("pmd-stats")["workers"]
        busy = sum(x["cycles_per_pkt"] * x["packets"] for x in w)
        miss = sum(x["miss_cycles_per_miss"] * x["misses"] for x in w)
        hits = sum(x["emc_hits"] + x["cache_hits"] for x in w)
        looks = hits + sum(x["misses"] for x in w)
        return {"stages": c.get("stages", "whole"),
                "stage_entries": [per[k] for k in sorted(per)],
                "hit_pct": 100.0 * hits / looks if looks else None,
                "miss_share_pct": 100.0 * miss / busy if busy else None}

    def flush_cache(self):
        self.ctl("cache-flush")

    def fill_polls(self):
        """Since clear_stats, at the fixed rate while the cache fills: the
        forwarding core's busy share and its polls of 50 us or more
        (pmd-perf). A packet waits for the poll it arrives in: these are
        the part of the latency tail the worker itself makes; the machine
        adds its own (scenario 1 has no fill to speak of)."""
        w = self.ctl("pmd-stats")["workers"]
        rows = self.ctl("pmd-perf")["polls"]
        return {"fill_busy_pct": max(x["busy_pct"] for x in w) if w else None,
                "fill_long_polls": sum(r["polls"] for r in rows if r["at_least_us"] >= 50)}

    def stop(self):
        procs.stop(self.proc)


class Ovs(System):
    name = "ovs"
    port_queues = 2  # its PMD thread transmits on queue 1 of a memif

    def start(self, tag):
        d = self.dir = procs.workdir(os.path.join(self.root, "ovs-" + tag))
        self.prefix = "bench-ovs"
        self.env = dict(os.environ, OVS_RUNDIR=d, OVS_DBDIR=d, OVS_LOGDIR=d, OVS_SYSCONFDIR=d)
        db, sock = os.path.join(d, "conf.db"), "unix:%s/db.sock" % d
        procs.run(["ovsdb-tool", "create", db, OVS_SCHEMA])
        procs.pidfile(d + "/ovsdb.pid")
        procs.run(["ovsdb-server", db, "--remote=punix:%s/db.sock" % d, "--pidfile=%s/ovsdb.pid" % d,
                   "--detach", "--log-file=%s/ovsdb.log" % d, "--unixctl=%s/ovsdb.ctl" % d],
                  env=self.env)
        self.vsctl = ["ovs-vsctl", "--db=" + sock, "--timeout=60"]
        procs.eal_common(self.prefix)  # registers its runtime directory's removal
        extra = " ".join(self.mem.eal(1024) + ["--no-pci", "--file-prefix=" + self.prefix,
                                              "--no-telemetry"])
        if not self.mem.huge:
            extra = extra.replace("--no-huge", "--no-huge --legacy-mem")
        procs.run(self.vsctl + ["--no-wait", "init"], env=self.env)
        procs.run(self.vsctl + ["--no-wait", "set", "Open_vSwitch", ".",
                                "other_config:dpdk-init=true", "other_config:dpdk-lcore-mask=0x1",
                                "other_config:pmd-cpu-mask=0x2",
                                "other_config:dpdk-extra=" + extra], env=self.env)
        procs.pidfile(d + "/vswitchd.pid")
        procs.run([OVS_VSWITCHD, sock, "--pidfile=%s/vswitchd.pid" % d, "--detach",
                   "--log-file=%s/vswitchd.log" % d, "--unixctl=%s/vswitchd.ctl" % d], env=self.env,
                  timeout=120)
        self.of_port = procs.free_tcp_port()
        procs.run(self.vsctl + [
            "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
            "protocols=OpenFlow13", "fail-mode=secure", "--", "set-controller", "br0",
            "ptcp:%d:127.0.0.1" % self.of_port], env=self.env)
        for n in (1, 2):
            procs.run(self.vsctl + [
                "add-port", "br0", "p%d" % n, "--", "set", "Interface", "p%d" % n, "type=dpdk",
                "options:dpdk-devargs=" + memif(n, d), "options:n_rxq=2",
                "ofport_request=%d" % n], env=self.env)
        procs.wait_for(lambda: procs.tcp_listening(self.of_port) and memif_ready(d),
                       "Open vSwitch's OpenFlow listener and ports", 60, log=d + "/vswitchd.log")
        ofctl(self.target, "del-flows")

    def appctl(self, *args):
        return procs.run(["ovs-appctl", "-t", self.dir + "/vswitchd.ctl"] + list(args), timeout=60)

    def clear_stats(self):
        self.appctl("dpif-netdev/pmd-stats-clear")

    def cycles_per_packet(self):
        out = self.appctl("dpif-netdev/pmd-stats-show")
        m = re.search(r"avg processing cycles per packet:\s*([\d.]+)", out)
        return float(m.group(1)) if m else None

    def cache_size(self):
        """Megaflows; dpif-netdev does not report its masks."""
        m = re.search(r"flows: (\d+)", self.appctl("dpctl/show"))
        return int(m.group(1)) if m else None, None

    def flush_cache(self):
        self.appctl("dpctl/del-flows")

    def pids(self):
        return [int(open(self.dir + "/vswitchd.pid").read())]

    def stop(self):
        procs.kill_pidfile(self.dir + "/vswitchd.pid")
        procs.kill_pidfile(self.dir + "/ovsdb.pid")
        procs.run(["rm", "-rf", os.path.join(procs.RUNTIME_DIR, self.prefix)])


class Testpmd(System):
    name = "testpmd"
    has_openflow = False

    def start(self, tag):
        self.dir = procs.workdir(os.path.join(self.root, "testpmd-" + tag))
        self.log = os.path.join(self.dir, "testpmd.log")
        # Line-buffered: its answers to commands must reach the log as they come.
        argv = ["stdbuf", "-oL", "dpdk-testpmd", "-l", "0-1"] + self.mem.eal(1024) + procs.eal_common(
            "bench-tpmd") + ["--vdev=" + memif(1, self.dir), "--vdev=" + memif(2, self.dir), "--",
                             "-i", "--forward-mode=io", "--auto-start", "--record-core-cycles",
                             "--total-num-mbufs=16384"]
        self.proc = procs.spawn(argv, self.log, stdin=subprocess.PIPE)
        # Its ports are configured (and accept a peer) only by then.
        procs.wait_for(lambda: memif_ready(self.dir) and "Start automatic packet forwarding" in
                       open(self.log, errors="replace").read(), "testpmd forwarding", 60,
                       self.proc, self.log)

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def clear_stats(self):
        self.command("clear fwd stats all")

    def ports_idle(self, idle):
        if not idle:
            self.command("start")
            return
        start = os.path.getsize(self.log)
        self.command("stop")  # answered once its forwarding lcore stopped
        procs.wait_for(lambda: "Done." in open(self.log, errors="replace").read()[start:],
                       "testpmd stopping its forwarding", 15, self.proc, self.log)

    def cycles_per_packet(self):
        """From `show fwd stats all`, asked while traffic still flows
        (memif's counters go when the peer disconnects)."""
        start = os.path.getsize(self.log)
        self.command("show fwd stats all")
        found = []

        def answered():
            text = open(self.log, errors="replace").read()[start:]
            found[:] = re.findall(r"CPU cycles/packet=([\d.]+)", text)
            return bool(found)
        procs.wait_for(answered, "testpmd's fwd stats", 10, self.proc, self.log)
        return float(found[-1])

    def load_flows(self, path, count):
        return None

    def port_tx(self, port):
        return None

    def stop(self):
        try:
            self.command("quit")
            self.proc.wait(15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        procs.stop(self.proc)


class OfswitchOneStage(Ofswitch):
    """ofswitch with its flow cache held at one stage (--cache-stages whole),
    the baseline for the staged cache's choice."""
    name = "ofswitch-1stage"

    def start(self, tag, extra=()):
        super().start(tag, ["--cache-stages", "whole"] + list(extra))


SYSTEMS = {"ofswitch": Ofswitch, "ofswitch-1stage": OfswitchOneStage, "ovs": Ovs,
           "testpmd": Testpmd}
