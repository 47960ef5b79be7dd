#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ofswitch-ctl top against a switch carrying traffic: a net_pcap port
replays its frames forever (infinite_rx) into one worker; IP goes out a
net_null port, ARP to the controller (none is connected: the packet-ins
are queued and dropped), a frame no flow matches is dropped (no_match). --once prints one view with non-zero rates and
exits; the live view runs in a tmux pane (200x50), redraws with growing
totals, and q or Ctrl-C ends it with exit status 0 and the terminal as it
was (stty settings, normal screen, cursor shown). Then the bad arguments.

usage: e2e_top.py PATH/TO/ofswitch PATH/TO/ofswitch-ctl
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from scapy.all import ARP, IP, UDP, Ether, wrpcap  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import Switch, wait_until  # noqa: E402

OFSWITCH, CTL = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="ofs-top-")
os.environ["OVS_RUNDIR"] = TMP
TMUX = ["tmux", "-S", os.path.join(TMP, "tmux.sock"), "-f", "/dev/null"]
HEADINGS = ["WORKERS", "PORTS", "PACKET-INS", "DROPS"]
FAILED = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        FAILED.append(what)


def tmux(*args):
    r = subprocess.run(TMUX + list(args), capture_output=True, text=True, timeout=20)
    if r.returncode:
        raise RuntimeError(f"tmux {' '.join(args[:2])}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def table(text, heading):
    """The rows under a heading (after its column line) as lists of fields,
    up to the next blank line."""
    lines = text.splitlines()
    if heading not in [ln.strip() for ln in lines]:
        return None
    i = [ln.strip() for ln in lines].index(heading)
    cols = lines[i + 1].split()
    rows = []
    for ln in lines[i + 2:]:
        if not ln.strip():
            break
        rows.append(dict(zip(cols, ln.split())))
    return rows


def nonzero_view(text):
    """The checks a view with traffic passes, as (what, ok) pairs."""
    workers, ports = table(text, "WORKERS") or [], {r.get("port"): r for r in table(text, "PORTS") or []}
    pins, drops = table(text, "PACKET-INS") or [{}], table(text, "DROPS") or []
    return [
        ("every heading", all(h in text.splitlines() for h in HEADINGS)),
        ("a worker busy and forwarding", any(float(w["busy%"]) > 0 and float(w["Mpps"]) > 0
                                             for w in workers)),
        ("its cache hits by level", any(float(w["emc%"]) + float(w["sig%"]) +
                                        float(w["megaflow%"]) > 99 for w in workers)),
        ("port 1 receiving", float(ports.get("1", {}).get("rx_Mpps", 0)) > 0),
        ("port 2 sending", float(ports.get("2", {}).get("tx_Mpps", 0)) > 0),
        ("packet-ins queued", float(pins[0].get("queued/s", 0)) > 0),
        ("drops by reason", any(int(d.get("total", 0)) > 0 for d in drops)),
    ]


def run_pane(name, quit_key):
    """top in a tmux pane, inside a shell that saves stty before and after;
    returns (views seen, exit status, stty before, stty after, pane text)."""
    before, after, rc = (os.path.join(TMP, f"{name}.{x}") for x in ("before", "after", "rc"))
    cmd = (f"stty -a > {before}; {shlex.quote(CTL)} -t {shlex.quote(SW.sock)} top "
           f"--interval 0.5; echo $? > {rc}; stty -a > {after}; sleep 600")
    tmux("new-session", "-d", "-x", "200", "-y", "50", "-s", name, "bash", "-c", cmd)
    pane = f"{name}:0.0"
    views = []

    def showing_traffic():
        text = tmux("capture-pane", "-p", "-t", pane)
        if all(ok for _, ok in nonzero_view(text)):
            views.append(text)
        # A later redraw, not just another capture: one taken while the
        # screen was being drawn differs from the first too (seen under ASan).
        return len(views) >= 2 and totals(views[-1]).get("no_match", 0) > \
            totals(views[0]).get("no_match", 0)
    try:
        wait_until(showing_traffic, f"{name}: two views with traffic", 30)
    except TimeoutError as e:
        print(tmux("capture-pane", "-p", "-t", pane))
        check(False, str(e))
    tmux("send-keys", "-t", pane, quit_key)
    wait_until(lambda: os.path.exists(after) and os.path.getsize(after) > 0,
               f"{name}: top to exit", 20)
    text = tmux("capture-pane", "-p", "-t", pane)
    cursor = tmux("display-message", "-p", "-t", pane, "#{cursor_flag} #{alternate_on}").split()
    # The session stays (with a shell asleep) until the server goes at the
    # end: killing the last one would stop the server under the next.
    with open(rc) as f, open(before) as b, open(after) as a:
        return views, f.read().strip(), b.read(), a.read(), text, cursor


def totals(text):
    return {d["reason"]: int(d["total"]) for d in table(text, "DROPS") or [] if "total" in d}


SW = None
try:
    pcap = os.path.join(TMP, "in.pcap")
    wrpcap(pcap, [Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") /
                  IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1000 + i, dport=2000)
                  for i in range(15)] +
           [Ether(src="00:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="10.0.0.9"),
            Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02", type=0x88b5) / (b"x" * 46)],
           linktype=1)
    SW = Switch(OFSWITCH, CTL, TMP, "top", [(2, "net_null_top2,no-rx=1")], lcores="0-1")
    SW.of("add-flow", "priority=10,ip,actions=output:2")
    SW.of("add-flow", "priority=5,arp,actions=controller")
    SW.ctl("add-port", "1", f"net_pcap_top1,rx_pcap={pcap},infinite_rx=1")
    wait_until(lambda: SW.port(2)["tx_packets"] > 0, "traffic through the switch", 20)

    # --once: one view over one interval, no escapes, for scripts.
    t0 = time.monotonic()
    r = subprocess.run([CTL, "-t", SW.sock, "top", "--once", "--interval", "0.5"],
                       capture_output=True, text=True, timeout=30)
    took = time.monotonic() - t0
    check(r.returncode == 0 and not r.stderr, f"--once: exit {r.returncode} {r.stderr.strip()}")
    over = re.search(r"rates over ([0-9.]+) s", r.stdout)
    check(over and 0.45 <= float(over.group(1)) <= 1.5 and took >= 0.45,
          f"--once: rates over one interval ({over and over.group(1)} s, took {took:.2f} s)")
    check("\033" not in r.stdout, "--once: no escape sequences")
    for what, ok in nonzero_view(r.stdout):
        check(ok, f"--once: {what}")
    if FAILED:
        print(r.stdout)

    # Live, under tmux: quit with q, then with Ctrl-C.
    for name, key in (("q", "q"), ("ctrlc", "C-c")):
        views, rc, before, after, text, cursor = run_pane(f"top-{name}", key)
        check(len(views) >= 2 and all(t in views[-1] for t in ("(q or Ctrl-C quits)",)),
              f"{name}: the pane showed the headings and non-zero rates")
        grew = [r for r, n in totals(views[-1]).items() if n > totals(views[0]).get(r, 0)]
        check("no_match" in grew, f"{name}: it redraws (drop totals grew: {grew})")
        check(rc == "0", f"{name}: top exited with status {rc}")
        check(before == after and "icanon" in after.split() and "echo" in after.split(),
              f"{name}: stty settings as before (canonical, echo)")
        check("WORKERS" not in text and cursor == ["1", "0"],
              f"{name}: normal screen back, cursor shown ({cursor})")

    # Bad arguments: one line, exit 2.
    for args, msg in ((["top", "--interval", "0"], "bad --interval '0'"),
                      (["top", "--interval"], "--interval needs a value"),
                      (["top", "--interval", "x1"], "bad --interval 'x1'"),
                      (["top", "--frobnicate"], "unknown argument '--frobnicate'"),
                      (["--json", "top"], "top has no --json output")):
        r = subprocess.run([CTL, "-t", SW.sock] + args, capture_output=True, text=True,
                           timeout=10)
        lines = r.stderr.splitlines()
        check(r.returncode == 2 and len(lines) == 1 and msg in lines[0] and not r.stdout,
              f"{' '.join(args)}: exit {r.returncode}, {lines}")
    r = subprocess.run([CTL, "-t", os.path.join(TMP, "nobody.ctl"), "top", "--once"],
                       capture_output=True, text=True, timeout=10)
    check(r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "cannot connect" in r.stderr,
          f"no switch: exit {r.returncode}, {r.stderr.strip()}")
finally:
    subprocess.run(TMUX + ["kill-server"], capture_output=True)
    if SW:
        rc = SW.stop()
        check(rc == 0, f"switch stopped cleanly (exit {rc})")
    shutil.rmtree(TMP, ignore_errors=True)
print(f"{len(FAILED)} failed" if FAILED else "all passed")
sys.exit(1 if FAILED else 0)
