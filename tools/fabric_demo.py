#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""tools/demo --fabric: three ofswitch instances in a triangle under one
os-ken controller running tools/fabric_app.py (LLDP discovery,
shortest-path rules, rerouting on PORT_STATUS). tools/demo installs what is
missing, builds, and runs this with --bin-dir; it can also be run by itself
(as root):

    h1 10.0.0.1          h2 10.0.0.2
        |                    |
      1 s1 2 ---------- 2 s2 1        every line is a veth pair; each
        3                  3          switch's ports are net_af_xdp (or
         \\                /           net_af_packet) devices on its ends
          3 ---- s3 ---- 2
                 1
                 |
             h3 10.0.0.3

The switches and the controller share one network namespace (the
controller listens on its 127.0.0.1); each host has its own. Each switch
has its own EAL file prefix, lcore and control socket. The demo prints the
topology the controller discovered, pings between every pair of hosts,
shows the path from h1 to h2 with per-port counters (ofswitch-ctl ports),
takes the link s1-s2 down (ip link set ... down on s1's end: s1 sees its
interface down, s2 loses the carrier), shows the traffic on the other path
(pings still pass), brings the link back and shows the direct path again.

usage: tools/fabric_demo.py --bin-dir DIR [--ci]
  --bin-dir DIR  DIR/ofagent/ofswitch/ofswitch and DIR/tools/ofswitch-ctl
  --ci           do not wait for Ctrl-C; exit 0 only if every check passed
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "tools", "fabric_app.py")
# (switch, port) <-> (switch, port): the triangle.
LINKS = [((1, 2), (2, 2)), ((2, 3), (3, 2)), ((3, 3), (1, 3))]
SWITCHES = (1, 2, 3)
HOST_PORT = 1
PROBE = 50  # pings in each measured burst


class Failed(Exception):
    """The demo cannot go on: one line."""


def die(msg, status=2):
    print("tools/demo: %s" % msg, file=sys.stderr)
    sys.exit(status)


def say(msg):
    print("\n== %s" % msg, flush=True)


def mac(i):
    return "02:00:00:00:00:%02x" % i


class Fabric:
    def __init__(self, bin_dir):
        self.ofswitch = os.path.join(bin_dir, "ofagent", "ofswitch", "ofswitch")
        self.ctl_bin = os.path.join(bin_dir, "tools", "ofswitch-ctl")
        for exe in (self.ofswitch, self.ctl_bin):
            if not os.access(exe, os.X_OK):
                die("no ofswitch or ofswitch-ctl in %s" % bin_dir)
        self.tag = "ofsfab%d" % os.getpid()
        self.ns = self.tag + "-sw"
        self.work = tempfile.mkdtemp(prefix="ofs-fabric.")
        self.state_path = os.path.join(self.work, "fabric.json")
        self.procs = []  # (name, Popen, log path)
        self.namespaces = []
        self.failed = []
        self.pmd = None

    # ---- processes and cleanup ---------------------------------------------------

    def sh(self, *argv, check=True, ns=None):
        argv = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=60)
        if check and r.returncode:
            raise Failed("%s failed: %s" % (" ".join(argv), r.stdout.strip()[-300:]))
        return r.stdout

    def spawn(self, name, argv, env=None):
        log = os.path.join(self.work, name + ".log")
        with open(log, "w") as f:
            p = subprocess.Popen(["ip", "netns", "exec", self.ns] + argv, stdout=f,
                                 stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.procs.append((name, p, log))
        return p, log

    def cleanup(self):
        for _, p, _ in self.procs:
            if p.poll() is None:
                p.terminate()
        for _, p, _ in self.procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for ns in self.namespaces:  # Deleting a namespace deletes its veths.
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.work, ignore_errors=True)
        for s in SWITCHES:
            shutil.rmtree("/var/run/dpdk/%s-s%d" % (self.tag, s), ignore_errors=True)

    def wait_for(self, what, cond, seconds, proc=None, log=None):
        """Polls COND every 50 ms; a process that exits ends the wait."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if cond():
                return
            if proc is not None and proc.poll() is not None:
                name = [n for n, p, _ in self.procs if p is proc][0]
                raise Failed("%s exited (status %d) before %s; the end of its log:\n%s" % (
                    "the controller" if name == "controller" else "ofswitch " + name,
                    proc.returncode, what, tail(log)))
            time.sleep(0.05)
        raise Failed("no %s within %d s%s" % (what, seconds,
                                              "; the end of the log:\n" + tail(log) if log else ""))

    # ---- the topology -----------------------------------------------------------------

    def build(self):
        say("Creating the fabric: switches s1, s2, s3 in a triangle, hosts h1-h3 "
            "(network namespaces %s-*)" % self.tag)
        self.sh("ip", "netns", "add", self.ns)
        self.namespaces.append(self.ns)
        self.sh("ip", "link", "set", "lo", "up", ns=self.ns)
        ends = []
        for (a, p), (b, q) in LINKS:
            x, y = "s%d-p%d" % (a, p), "s%d-p%d" % (b, q)
            self.sh("ip", "-n", self.ns, "link", "add", "name", x, "type", "veth", "peer",
                    "name", y)
            ends += [x, y]
            print("  link s%d port %d <-> s%d port %d (veth %s <-> %s)" % (a, p, b, q, x, y))
        for h in SWITCHES:
            hns = "%s-h%d" % (self.tag, h)
            self.sh("ip", "netns", "add", hns)
            self.namespaces.append(hns)
            sw_end = "s%d-p%d" % (h, HOST_PORT)
            self.sh("ip", "-n", self.ns, "link", "add", "name", sw_end, "type", "veth", "peer",
                    "name", "eth0", "netns", hns)
            ends.append(sw_end)
            self.sh("ip", "link", "set", "lo", "up", ns=hns)
            # Only what the demo sends: no IPv6 router or neighbour solicitations.
            self.sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", ns=hns)
            self.sh("ip", "link", "set", "eth0", "address", mac(h), ns=hns)
            self.sh("ip", "addr", "add", "10.0.0.%d/24" % h, "dev", "eth0", ns=hns)
            self.sh("ip", "link", "set", "eth0", "up", ns=hns)
            # The switch sends on what the veth left unfinished: checksums in the host.
            self.sh("ethtool", "-K", "eth0", "tx", "off", ns=hns)
            print("  h%d: 10.0.0.%d, MAC %s, on s%d port %d" % (h, h, mac(h), h, HOST_PORT))
        for e in ends:
            self.sh("sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % e.replace(".", "/"),
                    ns=self.ns)
            self.sh("ip", "link", "set", e, "up", ns=self.ns)

    def start_controller(self):
        say("Starting osken-manager with tools/fabric_app.py (one controller for the fabric)")
        osken = shutil.which("osken-manager") or "/usr/bin/osken-manager"
        env = dict(os.environ, OFS_FABRIC_STATE=self.state_path)
        self.controller, self.controller_log = self.spawn(
            "controller", ["/usr/bin/python3", osken, "--ofp-listen-host", "127.0.0.1",
                           "--ofp-tcp-listen-port", "6653", APP], env=env)

        def listening():
            out = self.sh("ss", "-Hltn", "sport = :6653", ns=self.ns, check=False)
            return bool(out.strip())
        self.wait_for("controller listening on 127.0.0.1:6653", listening, 30,
                      self.controller, self.controller_log)
        print("  listening on 127.0.0.1:6653")

    def ctl_sock(self, s):
        return os.path.join(self.work, "s%d.ctl" % s)

    def ctl(self, s, *args):
        r = subprocess.run([self.ctl_bin, "-t", self.ctl_sock(s)] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20)
        if r.returncode:
            raise Failed("ofswitch-ctl on s%d %s: %s" % (s, " ".join(args), r.stderr.strip()))
        return r.stdout

    def start_switch(self, s, pmd):
        ports = []
        for p in (1, 2, 3):
            ports += ["--port", "%d=%s%d,iface=s%d-p%d" % (p, pmd, p, s, p)]
        # Two cores: s2 runs on the second one. -l N alone: one worker
        # inline on the main lcore, which naps when idle.
        lcore = "1" if s == 2 and len(os.sched_getaffinity(0)) > 1 else "0"
        # "ip netns exec" mounts a /sys without bpffs, which libxdp wants.
        argv = ["sh", "-c", 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; '
                'exec "$0" "$@"', self.ofswitch, "-l", lcore, "--no-huge", "-m", "256",
                "--no-pci", "--no-shconf", "--no-telemetry", "--file-prefix",
                "%s-s%d" % (self.tag, s), "--"] + ports + [
                    "--datapath-id", "%x" % s, "--controller", "tcp:127.0.0.1:6653",
                    "--ctl-socket", self.ctl_sock(s)]
        proc, log = self.spawn("s%d" % s, argv)
        end = time.monotonic() + 20
        while time.monotonic() < end:
            if os.path.exists(self.ctl_sock(s)):
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
        self.procs.pop()
        return None

    def start_switches(self):
        say("Starting ofswitch s1, s2, s3")
        for pmd in ("net_af_xdp", "net_af_packet"):
            proc = self.start_switch(1, pmd)
            if proc:
                self.pmd = pmd
                break
            why = [ln for ln in open(os.path.join(self.work, "s1.log"), errors="replace")
                   if re.search(r"error|fail|cannot", ln, re.I)
                   and not ln.startswith(("libbpf", "libxdp"))]
            print("  %s ports did not start (%s); trying net_af_packet" % (
                pmd, why[0].strip() if why else "see the log"))
        if not self.pmd:
            raise Failed("ofswitch did not start; the end of its log:\n%s" % tail(
                os.path.join(self.work, "s1.log")))
        for s in (2, 3):
            if not self.start_switch(s, self.pmd):
                raise Failed("ofswitch s%d did not start; the end of its log:\n%s" % (
                    s, tail(os.path.join(self.work, "s%d.log" % s))))
        for s in SWITCHES:
            self.wait_for("connection from s%d to the controller" % s,
                          lambda: re.search(r"tcp:127.0.0.1:6653 +connected", self.ctl(s, "show")),
                          20, self.controller, self.controller_log)
            print("  s%d: datapath id %016x, ports 1-3 (%s), lcore %s, ofswitch-ctl -t %s" % (
                s, s, self.pmd, "1" if s == 2 and len(os.sched_getaffinity(0)) > 1 else "0",
                self.ctl_sock(s)))

    # ---- the controller's view ---------------------------------------------------

    def state(self):
        try:
            with open(self.state_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def links(self, st=None):
        st = st if st is not None else self.state()
        return {((ln["src"], ln["src_port"]), (ln["dst"], ln["dst_port"]))
                for ln in st.get("links", [])}

    def path(self, src, dst, st=None):
        """The controller's path from host SRC to host DST: [(switch, out port)]."""
        st = st if st is not None else self.state()
        for p in st.get("paths", []):
            if p["src"] == mac(src) and p["dst"] == mac(dst):
                return [tuple(h) for h in p["hops"]] if p["hops"] else None
        return None

    def edges(self, st=None):
        st = st if st is not None else self.state()
        return {(int(d), int(p)) for d, v in st.get("switches", {}).items()
                for p, port in v["ports"].items() if port["edge"]}

    def want_links(self, links):
        return {x for a, b in links for x in ((a, b), (b, a))}

    def show_topology(self):
        st = self.state()
        print("  switches: " + ", ".join(
            "s%s (dpid %016x, ports %s)" % (d, int(d), ",".join(sorted(v["ports"])))
            for d, v in sorted(st.get("switches", {}).items())))
        seen = set()
        for (a, p), (b, q) in sorted(self.links(st)):
            if ((b, q), (a, p)) in seen:
                continue
            seen.add(((a, p), (b, q)))
            print("  link: s%d port %d <-> s%d port %d" % (a, p, b, q))
        print("  edge ports (no link; hosts are learned there): " + ", ".join(
            "s%d port %d" % e for e in sorted(self.edges(st))))

    def show_path(self, src, dst):
        hops = self.path(src, dst)
        text = " -> ".join("s%d port %d" % h for h in hops) if hops else "none"
        print("  h%d -> h%d: %s" % (src, dst, text))
        return hops

    # ---- traffic -------------------------------------------------------------------

    def ping(self, src, dst, count=3, interval="0.2"):
        out = self.sh("ping", "-c", str(count), "-i", interval, "-W", "2", "10.0.0.%d" % dst,
                      ns="%s-h%d" % (self.tag, src), check=False)
        m = re.search(r"(\d+) packets transmitted, (\d+) received.*", out)
        return m.group(0) if m else "no answer", bool(m) and " 0% packet loss" in out

    def counters(self):
        out = {}
        for s in SWITCHES:
            for p in json.loads(self.ctl(s, "--json", "ports"))["ports"]:
                out[(s, p["port"])] = (p["tx_packets"], p["rx_packets"])
        return out

    def probe(self, src, dst):
        """PROBE pings from SRC to DST, and what each link port carried meanwhile."""
        before = self.counters()
        summary, ok = self.ping(src, dst, PROBE, "0.02")
        after = self.counters()
        print("  %d pings h%d -> h%d: %s" % (PROBE, src, dst, summary))
        self.check(ok, "%d pings h%d -> h%d lost some: %s" % (PROBE, src, dst, summary))
        delta = {k: (after[k][0] - before[k][0], after[k][1] - before[k][1]) for k in after}
        print("  per-port counters meanwhile (ofswitch-ctl ports; LLDP adds about 1 a second):")
        print("    %-14s %-16s %10s %10s" % ("port", "link to", "tx pkts", "rx pkts"))
        for (a, p), (b, q) in sorted(self.want_links(LINKS)):
            tx, rx = delta[(a, p)]
            print("    %-14s %-16s %+10d %+10d" % ("s%d port %d" % (a, p),
                                                   "s%d port %d" % (b, q), tx, rx))
        return delta

    def check(self, ok, what):
        if not ok:
            self.failed.append(what)
            print("  CHECK FAILED: " + what)
        return ok

    def check_carried(self, delta, hops, src, dst):
        """The ports on the path carried the probe both ways; the others
        only LLDP."""
        on_path = {h for h in hops[:-1]}  # switch ports towards DST, not the host's
        peers = dict(self.want_links(LINKS))
        for (a, p) in sorted(peers):
            tx, rx = delta[(a, p)]
            back = peers[(a, p)]
            if (a, p) in on_path or back in on_path:
                self.check(tx >= PROBE and rx >= PROBE,
                           "s%d port %d is on the path h%d <-> h%d but carried tx %d rx %d" % (
                               a, p, src, dst, tx, rx))
            else:  # LLDP only, about one frame a second each way
                self.check(tx < PROBE // 2 and rx < PROBE // 2,
                           "s%d port %d is off the path h%d <-> h%d but carried tx %d rx %d" % (
                               a, p, src, dst, tx, rx))

    def show_events(self, since):
        """What the controller logged since SINCE (its ports are dpid:port)."""
        for e in self.state().get("events", []):
            t, what = e.split(" ", 1)
            if float(t) >= since:
                print("  controller (dpid:port): " + what)

    # ---- the demo -------------------------------------------------------------------

    def run(self):
        self.build()
        self.start_controller()
        self.start_switches()

        say("The topology the controller discovered (LLDP through PACKET_OUT/PACKET_IN)")
        want = self.want_links(LINKS)
        self.wait_for("discovery of the three links", lambda: self.links() == want, 30,
                      self.controller, self.controller_log)
        # A port is an edge port (floods go out of it, hosts are there) once
        # it has been up a while without LLDP coming in.
        self.wait_for("the host ports as edge ports", lambda: self.edges() == {
            (s, HOST_PORT) for s in SWITCHES} and self.links() == want, 30,
            self.controller, self.controller_log)
        self.show_topology()

        say("Pinging between every pair of hosts")
        for a in SWITCHES:
            for b in SWITCHES:
                if a < b:
                    summary, ok = self.ping(a, b)
                    print("  h%d -> h%d: %s" % (a, b, summary))
                    self.check(ok, "h%d -> h%d lost pings: %s" % (a, b, summary))

        say("The paths the controller installed (shortest, over the discovered links)")
        self.wait_for("paths between all hosts", lambda: all(
            self.path(a, b) for a in SWITCHES for b in SWITCHES if a != b), 10)
        for a in SWITCHES:
            for b in SWITCHES:
                if a != b:
                    self.show_path(a, b)
        direct = [(1, 2), (2, HOST_PORT)]
        self.check(self.path(1, 2) == direct, "h1 -> h2 does not take the direct link")
        self.check(self.path(2, 1) == [(2, 2), (1, HOST_PORT)],
                   "h2 -> h1 does not take the direct link")
        say("Traffic from h1 to h2 on the direct link s1-s2")
        delta = self.probe(1, 2)
        self.check_carried(delta, direct, 1, 2)

        say("Taking the link s1-s2 down (ip link set s1-p2 down, in %s)" % self.ns)
        pinger = subprocess.Popen(["ip", "netns", "exec", "%s-h1" % self.tag, "ping", "-i",
                                   "0.01", "-W", "1", "10.0.0.2"], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        time.sleep(0.3)  # A few answered pings before the failure (shown, not checked).
        t0 = time.time()
        self.sh("ip", "link", "set", "s1-p2", "down", ns=self.ns)
        rerouted = [(1, 3), (3, 2), (2, HOST_PORT)]
        self.wait_for("reroute of h1 -> h2 through s3",
                      lambda: self.path(1, 2) == rerouted and self.path(2, 1) == [
                          (2, 3), (3, 3), (1, HOST_PORT)], 15, self.controller,
                      self.controller_log)
        dt = time.time() - t0
        time.sleep(0.3)
        pinger.send_signal(signal.SIGINT)
        out = pinger.communicate(timeout=10)[0]
        self.show_events(t0)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        print("  rerouted %.0f ms after the link went down%s" % (
            dt * 1000, "; a ping every 10 ms meanwhile: %s of %s answered" % (
                m.group(2), m.group(1)) if m else ""))
        self.check(self.links() == want - {((1, 2), (2, 2)), ((2, 2), (1, 2))},
                   "the controller still lists the link s1-s2")
        print("  the switches' view (ofswitch-ctl show):")
        for s, why in ((1, "its interface down"), (2, "no carrier")):
            show = self.ctl(s, "show")
            self.check(re.search(r"^ +2 +\S+ +\S+ +down", show, re.M) is not None,
                       "ofswitch-ctl show on s%d does not list port 2 down (%s)" % (s, why))
            for line in show.splitlines():
                if re.match(r"^ +2\s", line):
                    print("    s%d: %s   (%s)" % (s, line.strip(), why))
        self.show_path(1, 2)
        self.show_path(2, 1)

        say("Traffic from h1 to h2 now goes through s3")
        delta = self.probe(1, 2)
        self.check_carried(delta, rerouted, 1, 2)
        self.check(delta[(1, 2)][0] == 0, "s1 sent %d packets out of its down port 2" %
                   delta[(1, 2)][0])
        print("  s1's rule towards h2 (ofswitch-ctl flows 1):")
        for line in self.ctl(1, "flows", "1").splitlines():
            if "eth_dst=%s" % mac(2) in line or line.lstrip().startswith("table"):
                print("    " + line.strip())

        say("Bringing the link s1-s2 back (ip link set s1-p2 up)")
        t0 = time.time()
        self.sh("ip", "link", "set", "s1-p2", "up", ns=self.ns)
        self.wait_for("the link s1-s2 rediscovered and h1 -> h2 direct again",
                      lambda: self.links() == want and self.path(1, 2) == direct, 15,
                      self.controller, self.controller_log)
        self.show_events(t0)
        self.show_path(1, 2)
        delta = self.probe(1, 2)
        self.check_carried(delta, direct, 1, 2)

        say("Pinging between every pair of hosts again")
        for a in SWITCHES:
            for b in SWITCHES:
                if a < b:
                    summary, ok = self.ping(a, b)
                    print("  h%d -> h%d: %s" % (a, b, summary))
                    self.check(ok, "h%d -> h%d lost pings: %s" % (a, b, summary))
        for name, p, log in self.procs:
            self.check(p.poll() is None, "%s exited (see %s)" % (name, log))


def tail(path, n=8):
    if not path or not os.path.exists(path):
        return "  (no log)"
    lines = [ln for ln in open(path, errors="replace").read().splitlines()
             if not ln.startswith(("libbpf:", "libxdp:"))]
    return "\n".join("  " + ln for ln in lines[-n:])


def main():
    args = sys.argv[1:]
    ci, bin_dir = False, None
    while args:
        a = args.pop(0)
        if a == "--ci":
            ci = True
        elif a == "--bin-dir":
            if not args or not os.path.isdir(args[0]):
                die("--bin-dir: no such directory '%s'" % (args[0] if args else ""))
            bin_dir = os.path.abspath(args.pop(0))
        elif a in ("-h", "--help"):
            print("usage:" + __doc__.split("usage:")[1].rstrip())
            return 0
        else:
            die("unknown option '%s' (try --help)" % a)
    if not bin_dir:
        die("--bin-dir is required (tools/demo --fabric passes it)")
    if os.geteuid() != 0:
        die("run it as root (it creates network namespaces)")
    fab = Fabric(bin_dir)

    def stop(signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started with SIGINT ignored (in the background)
    status = 0
    try:
        fab.run()
        if fab.failed:
            say("%d check(s) failed:" % len(fab.failed))
            for f in fab.failed:
                print("  " + f)
            for s in SWITCHES:
                print("  s%d's log:\n%s" % (s, tail(os.path.join(fab.work, "s%d.log" % s), 5)))
            print("  the controller's log:\n%s" % tail(fab.controller_log))
            status = 1
        else:
            say("Fabric demo passed")
        if not ci:
            say("The fabric keeps running. In another terminal, for example:")
            for s in SWITCHES:
                print("  %s -t %s ports" % (fab.ctl_bin, fab.ctl_sock(s)))
            print("  cat %s" % fab.state_path)
            print("  ip netns exec %s-h1 ping 10.0.0.3" % fab.tag)
            print("  ip netns exec %s ip link set s2-p3 down" % fab.ns)
            print("Press Ctrl-C to stop; everything is cleaned up.", flush=True)
            while fab.controller.poll() is None:
                time.sleep(0.5)
    except Failed as e:
        print("tools/demo: %s" % e, file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("\ntools/demo: stopping")
        status = 130 if not fab.failed else 1
    finally:
        fab.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
