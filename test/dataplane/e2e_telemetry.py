#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ofswitch's DPDK telemetry commands read with Debian's dpdk-telemetry.py,
next to DPDK's own: the switch runs with telemetry on (EAL's default) and a
private --file-prefix, flows go in with ovs-ofctl, a net_pcap port replays
frames into it, another writes what it forwards, a net_null port idles; then every
/ofswitch/ command is queried non-interactively (commands on stdin) and its
JSON compared with what ofswitch-ctl says and with the traffic sent. Once
inline (-l 0) and once with a worker lcore (-l 0-1); several clients at
once; the runtime directory is gone after a clean stop.

usage: e2e_telemetry.py PATH/TO/ofswitch PATH/TO/ofswitch-ctl
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

from scapy.all import ARP, IP, UDP, Ether, Raw, wrpcap  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_util import Switch, wait_until  # noqa: E402

OFSWITCH, CTL = sys.argv[1], sys.argv[2]
TEL = shutil.which("dpdk-telemetry.py") or "/usr/bin/dpdk-telemetry.py"
TMP = tempfile.mkdtemp(prefix="ofs-tel-")
os.environ["OVS_RUNDIR"] = TMP
COMMANDS = ["/ofswitch/ports", "/ofswitch/pmd", "/ofswitch/cache", "/ofswitch/flows/count",
            "/ofswitch/drops", "/ofswitch/controllers"]
N_FWD, N_MISS = 40, 10  # UDP frames forwarded to port 2; ARP frames no table matches.
FAILED = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        FAILED.append(what)


def telemetry(prefix, *cmds):
    """Each command's value (None for a JSON null), from one dpdk-telemetry.py
    run with the commands on stdin."""
    r = subprocess.run([TEL, "-f", prefix], input="".join(c + "\n" for c in cmds),
                       capture_output=True, text=True, timeout=30)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    if r.returncode or len(lines) != len(cmds):
        raise RuntimeError(f"dpdk-telemetry.py: exit {r.returncode}: {r.stdout[-500:]} "
                           f"{r.stderr[-500:]}")
    return [json.loads(ln)[c.split(",")[0]] for ln, c in zip(lines, cmds)]


def frames():
    fwd = [Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") /
           IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1000 + i, dport=2000) / Raw(b"x" * i)
           for i in range(N_FWD)]
    miss = [Ether(src="00:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") /
            ARP(psrc="10.0.0.1", pdst=f"10.0.0.{100 + i}") for i in range(N_MISS)]
    return fwd + miss, sum(len(f) for f in fwd), sum(len(f) for f in fwd + miss)


def run(lcores):
    print(f"== -l {lcores}", flush=True)
    tag = lcores.replace("-", "")
    empty = os.path.join(TMP, "empty.pcap")
    wrpcap(empty, [], linktype=1)
    # Port 2 takes what is forwarded (net_null counts no TX bytes); port 3 idles.
    sw = Switch(OFSWITCH, CTL, TMP, f"tel{tag}",
                [(2, f"net_pcap_tel{tag}2,rx_pcap={empty},tx_pcap={TMP}/out-{tag}.pcap"),
                 (3, f"net_null_tel{tag},no-rx=1")], lcores=lcores, telemetry=True)
    runtime = os.path.join("/var/run/dpdk" if os.getuid() == 0 else
                           os.environ.get("XDG_RUNTIME_DIR", "/tmp") + "/dpdk", sw.file_prefix)
    try:
        sw.of("add-flow", "table=0,priority=10,ip,actions=goto_table:1")
        sw.of("add-flow", "table=1,priority=10,ip,nw_dst=10.0.0.2,actions=output:2")
        sw.of("add-flow", "table=1,priority=5,ip,nw_dst=10.0.0.3,actions=drop")
        pkts, fwd_bytes, all_bytes = frames()
        rx = os.path.join(TMP, f"in-{lcores}.pcap")
        wrpcap(rx, pkts, linktype=1)
        sw.ctl("add-port", "1", f"net_pcap_tel{tag}1,rx_pcap={rx}")
        wait_until(lambda: sw.port(1)["rx_packets"] == len(pkts) and
                   sw.port(2)["tx_packets"] == N_FWD, "the frames to go through", 30)

        cmds = telemetry(sw.file_prefix, "/")[0]
        check(all(c in cmds for c in COMMANDS) and "/ethdev/stats" in cmds,
              "'/' lists every /ofswitch/ command next to DPDK's /ethdev/stats")
        helps = telemetry(sw.file_prefix, *[f"/help,{c}" for c in COMMANDS])
        check(all(h and h.get(c) for h, c in zip(helps, COMMANDS)), "/help has each command")

        ports, port1, nope, bad = telemetry(sw.file_prefix, "/ofswitch/ports", "/ofswitch/ports,1",
                                            "/ofswitch/ports,99", "/ofswitch/ports,x")
        ctl_ports = {str(p["port"]): p for p in sw.json("ports")["ports"]}
        check(sorted(ports) == ["1", "2", "3"], f"/ofswitch/ports: ports 1 to 3 ({sorted(ports)})")
        check(ports["1"]["rx_packets"] == len(pkts) and ports["1"]["rx_bytes"] == all_bytes,
              f"port 1 received the {len(pkts)} frames, {all_bytes} bytes")
        check(ports["2"]["tx_packets"] == N_FWD and ports["2"]["tx_bytes"] == fwd_bytes,
              f"port 2 sent the {N_FWD} forwarded, {fwd_bytes} bytes")
        same = all(ports[n][k] == ctl_ports[n][k] for n in ctl_ports for k in ctl_ports[n]
                   if k != "port")
        check(same, "/ofswitch/ports equals ofswitch-ctl ports, field by field")
        check(port1 == dict(ports["1"], port=1), "/ofswitch/ports,1 is port 1 alone")
        check(nope is None and bad is None, "a port that does not exist, or no number: null")

        # DPDK's own view of the same device.
        ids = telemetry(sw.file_prefix, "/ethdev/list")[0]
        infos = telemetry(sw.file_prefix, *[f"/ethdev/info,{i}" for i in ids])
        eth2 = [i for i, info in zip(ids, infos) if info["name"] == ports["2"]["name"]]
        stats = telemetry(sw.file_prefix, f"/ethdev/stats,{eth2[0]}")[0] if eth2 else {}
        check(stats.get("opackets") == N_FWD, "/ethdev/stats of port 2's device agrees")

        pmd, drops, count, ctrls = telemetry(sw.file_prefix, "/ofswitch/pmd", "/ofswitch/drops",
                                             "/ofswitch/flows/count", "/ofswitch/controllers")
        workers = sw.json("pmd-stats")["workers"]
        check(sorted(pmd) == [str(w["worker"]) for w in workers],
              f"/ofswitch/pmd: one entry per worker ({len(workers)})")
        check(sum(w["packets"] for w in pmd.values()) == len(pkts),
              "/ofswitch/pmd: the workers handled every frame")
        check(all(0 <= w["busy_pct"] <= 100 and w["cycles_per_pkt"] > 0 and w["busy_cycles"] > 0
                  for w in pmd.values() if w["packets"]), "busy_pct and cycles_per_pkt")
        check([w["lcore"] for w in pmd.values()] == [w["lcore"] for w in workers],
              "the lcores ofswitch-ctl pmd-stats names")
        ctl_drops = {d["reason"]: d["packets"] for d in sw.json("drops")["drops"]}
        check(drops["no_match"] == N_MISS and ctl_drops == {k: v for k, v in drops.items() if v},
              f"/ofswitch/drops: no_match {N_MISS}, the same as ofswitch-ctl drops")
        per_table = {}
        for f in sw.json("flows")["flows"]:
            per_table[str(f["table"])] = per_table.get(str(f["table"]), 0) + 1
        check(count == {"total": 3, "tables": per_table} and per_table == {"0": 1, "1": 2},
              f"/ofswitch/flows/count: {count}, as ofswitch-ctl flows lists")
        show = sw.json("show")["controllers"]
        check(len(ctrls) == 1 and ctrls["0"]["target"] == show[0]["target"] and
              ctrls["0"]["state"] == show[0]["state"],
              f"/ofswitch/controllers: {ctrls['0']['target']} {ctrls['0']['state']}")

        # The cache's report is published about every millisecond.
        def cache_total():
            c = telemetry(sw.file_prefix, "/ofswitch/cache")[0]
            total = sum(w["emc_hits"] + w["sig_hits"] + w["megaflow_hits"] + w["misses"]
                        for w in c.values())
            return c if total == len(pkts) else None
        cache = wait_until(cache_total, "the cache's report to count every frame", 10)
        ctl_cache = sw.json("cache")["workers"]
        check(all(cache[str(w["worker"])]["entries"] == w["entries"] and
                  cache[str(w["worker"])]["masks"] == w["masks"] for w in ctl_cache) and
              sum(w["entries"] for w in cache.values()) >= 2,
              "/ofswitch/cache: entries and masks as ofswitch-ctl cache")

        # Clients at once: each request waits its turn, none is lost.
        answers, threads = [], []
        for _ in range(4):
            t = threading.Thread(target=lambda: answers.extend(
                telemetry(sw.file_prefix, *(COMMANDS * 5))))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        check(len(answers) == 4 * 5 * len(COMMANDS) and all(a is not None for a in answers),
              f"4 clients at once: {len(answers)} answers, none null")
    finally:
        rc = sw.stop()
    check(rc == 0, f"clean stop (exit {rc})")
    check(not os.path.exists(runtime), f"{runtime} removed at exit")


try:
    for lcores in ("0", "0-1"):
        run(lcores)
finally:
    shutil.rmtree(TMP, ignore_errors=True)
print(f"{len(FAILED)} failed" if FAILED else "all passed")
sys.exit(1 if FAILED else 0)
