# SPDX-License-Identifier: Apache-2.0
"""The benchmark's tables (printed, and written as Markdown into
docs/benchmarks.md), the ratios, and the targets of issue 7 checked
against what was measured."""
import os
import platform
import re
import subprocess
import time

from .scenarios import OWN_WORK_KEYS


def _fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and nd == 0):
        return "{:,}".format(int(v))
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    return ("%." + str(nd) + "f") % v


def _table(header, rows):
    """Markdown table; also readable as plain text."""
    cells = [header] + [[_fmt(c) for c in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |"
    return "\n".join([line(cells[0]), "|" + "|".join("-" * (x + 2) for x in w) + "|"]
                     + [line(r) for r in cells[1:]])


def _ratio(a, b):
    return a / b if a is not None and b else None


def _own(r):
    """Own work of result r: the median, over its runs whose floors before
    and after agree, of cycles/packet minus their mean
    (runner.measure_traffic), or None where no run qualifies, that is not
    above zero, or no floor ran (no testpmd among the systems)."""
    w = r.get("own_work") if isinstance(r, dict) else None
    return w if w is not None and w > 0 else None


def _change(before, after):
    return 100.0 * (after / before - 1) if before and after is not None else None


def _sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, timeout=10).stdout.strip()
    except subprocess.SubprocessError:
        return ""


def machine(mem, tsc_hz, build):
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
    hyp = "yes" if " hypervisor" in open("/proc/cpuinfo").read() else "no"
    gib = int(re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read()).group(1)) / 2**20
    return [
        ("date", time.strftime("%Y-%m-%d %H:%M %Z")),
        ("commit", _sh("git rev-parse --short HEAD") + (" (modified)" if _sh(
            "git status --porcelain --untracked-files=no") else "")),
        ("CPU", "%s, %d cores online, virtual machine: %s" % (cpu.group(1) if cpu else "?",
                                                             os.cpu_count(), hyp)),
        ("TSC", "%.0f MHz" % (tsc_hz / 1e6) if tsc_hz else "?"),
        ("memory", "%.1f GiB; DPDK memory: %s" % (gib, mem.why)),
        ("kernel", platform.release()),
        ("DPDK", _sh("pkg-config --modversion libdpdk")),
        # --version opens no socket, so it needs no private OVS_RUNDIR.
        ("Open vSwitch", _sh("/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk --version"
                             " | head -n1")),
        ("ofswitch build", build),
        ("ports", "memif (net_memif), zero-copy shared memory; no NIC"),
        ("cores", "generator (TX and RX) on CPU 0 with the OpenFlow agents; each system's "
                  "forwarding thread alone on CPU 1"),
    ]


def _runs(values):
    """Each run's number, in the order run ("41 / 73 / 155"), or None."""
    if not values:
        return None
    return " / ".join("-" if v is None else "{:,.0f}".format(v) for v in values)


def render(results, order, systems, opts, info):
    """RESULTS[(scenario key, system)] -> dict or error string."""
    out = []
    out.append("Machine\n\n" + _table(["", ""], info))
    rows = []
    for sc in order:
        if sc.kind != "traffic":
            continue
        for s in systems:
            r = results.get((sc.key, s))
            if r is None:
                continue
            if isinstance(r, str):
                rows.append([sc.key, s, "failed: " + r] + [None] * 13)
                continue
            rows.append([sc.key, s, r["mpps"], r["loss_pct"], r["cycles"], r.get("p50"),
                         r.get("p99"), _runs(r.get("p99_runs")), r.get("lat_loss_pct"),
                         r.get("entries"), r.get("masks"),
                         r.get("load_s"),
                         r.get("stalls_per_s"), r.get("stalled_ms_per_s"),
                         r.get("gen_wait_ms_per_s"), r.get("fwd_wait_ms_per_s")])
    out.append("Forwarding (64-byte frames; Mpps and loss at full speed, median of %d; "
               "cycles/packet on the forwarding core; latency at a fixed %.1f Mpps, each "
               "latency run from an empty cache: p50 and p99 of the run with the median p99 "
               "of %d, every run's p99 beside them, and that run's loss; before "
               "the latency runs, the machine's stalls on the forwarding core: gaps of 50 us "
               "or more a loop reading the clock there saw, the system frozen, and the "
               "milliseconds a second they took; during the median one, the milliseconds a "
               "second the generator and the forwarding thread waited for their CPUs while another "
               "task ran there)\n\n"
               % (opts.reps, opts.latency_rate, opts.latency_reps)
               + _table(["scen.", "system", "Mpps", "loss %", "cycles/pkt", "p50 us", "p99 us",
                         "p99 each run us", "latency run loss %", "cache entries", "masks",
                         "rules load s", "CPU stalls/s", "stalled ms/s", "gen wait ms/s",
                         "fwd wait ms/s"], rows))
    cache_rows = []
    for sc in order:
        for s in systems:
            r = results.get((sc.key, s))
            if sc.kind == "traffic" and isinstance(r, dict) and "stage_entries" in r:
                cache_rows.append([sc.key, s, r.get("stages"),
                                   " + ".join("{:,}".format(e) for e in r["stage_entries"]),
                                   r.get("hit_pct"), r.get("miss_share_pct"),
                                   r.get("fill_busy_pct"), r.get("fill_long_polls")])
    if cache_rows:
        out.append("ofswitch's flow cache (stages where they start, entries per stage, hits, "
                   "share of the forwarding core's busy cycles spent on misses; in the latency "
                   "run, at the fixed rate while the cache fills: the forwarding core's busy % "
                   "and its polls of 50 us or more, `ofswitch-ctl pmd-perf`)\n\n"
                   + _table(["scen.", "system", "stages", "entries per stage", "hit %",
                             "miss-path cycles %", "busy % filling", "polls >= 50 us filling"],
                            cache_rows))
    out.append("Scenarios\n\n" + _table(["scen.", "what"], [[sc.key, sc.title] for sc in order]))
    rat = []
    for sc in order:
        if sc.kind != "traffic":
            continue
        o, v, t = (results.get((sc.key, s)) for s in ("ofswitch", "ovs", "testpmd"))
        ok = lambda r: isinstance(r, dict)
        floors = [r.get("floor_cycles") if ok(r) else None for r in (o, v)]
        rat.append([sc.key,
                    _ratio(o["cycles"], v["cycles"]) if ok(o) and ok(v) else None,
                    _ratio(o["cycles"], t["cycles"]) if ok(o) and ok(t) else None,
                    " / ".join("%.0f" % f for f in floors) if None not in floors else None,
                    _own(o), _own(v), _ratio(_own(o), _own(v)),
                    _ratio(o["mpps"], v["mpps"]) if ok(o) and ok(v) else None,
                    _ratio(o["mpps"], t["mpps"]) if ok(o) and ok(t) else None])
    out.append("Ratios (cycles: lower is better for ofswitch; Mpps: higher is better; own "
               "work = cycles/packet above the memif floor: before a system's first run and "
               "after each, the system frozen, testpmd's run on the same traffic; the median, "
               "over the runs whose floors before and after agree within 15 %, of cycles "
               "minus their mean; floors: the median of those testpmd runs)\n\n"
               + _table(["scen.", "cycles ofswitch/OVS", "cycles ofswitch/testpmd",
                         "floors next to ofswitch / OVS",
                         "own work ofswitch", "own work OVS", "own work ofswitch/OVS",
                         "Mpps ofswitch/OVS", "Mpps ofswitch/testpmd"], rat))
    for sc in order:
        if sc.kind == "churn":
            rows = []
            for s in systems:
                r = results.get((sc.key, s))
                if isinstance(r, dict):
                    rows.append([s, r["base_mpps"], r["mpps"], _change(r["base_mpps"], r["mpps"]),
                                 r["base_cycles"], r["cycles"],
                                 _change(r["base_cycles"], r["cycles"]), r.get("churn_rate"),
                                 r["loss_pct"], r.get("misforwarded")])
                elif isinstance(r, str):
                    rows.append([s, "failed: " + r] + [None] * 8)
            out.append("Churn (scenario %s: %s)\n\n" % (sc.key, sc.title) + _table(
                ["system", "Mpps, no churn", "Mpps, churn", "change %", "cycles/pkt, no churn",
                 "cycles/pkt, churn", "change %", "flow-mods/s applied", "loss %",
                 "packets out port 1 (misforwarded)"], rows))
        if sc.kind == "flowmod":
            rows = []
            for s in systems:
                r = results.get((sc.key, s))
                if isinstance(r, dict):
                    for n in sc.extra["sizes"]:
                        rows.append([s, "{:,}".format(n), r["ofctl_%d" % n],
                                     r["pipelined_%d" % n]])
                elif isinstance(r, str):
                    rows.append([s, "failed: " + r, None, None])
            o, v = results.get((sc.key, "ofswitch")), results.get((sc.key, "ovs"))
            if isinstance(o, dict) and isinstance(v, dict):
                for n in sc.extra["sizes"]:
                    rows.append(["ofswitch/OVS", "{:,}".format(n),
                                 _ratio(o["ofctl_%d" % n], v["ofctl_%d" % n]),
                                 _ratio(o["pipelined_%d" % n], v["pipelined_%d" % n])])
            out.append("Flow-mod rate (scenario %s, flow-mods/s)\n\n" % sc.key + _table(
                ["system", "rules", "ovs-ofctl add-flows", "pipelined, one barrier"], rows))
    out.append("Targets\n\n" + _table(["target", "measured", "met"], targets(results)))
    return "\n\n".join(out) + "\n"


def targets(results):
    def get(k, s, f):
        r = results.get((k, s))
        return r.get(f) if isinstance(r, dict) else None

    rows = []

    def check(name, value, limit, fmt, le=True):
        if value is None:
            rows.append([name, "not measured", "-"])
        else:
            rows.append([name, fmt % value, "yes" if (value <= limit if le else value >= limit)
                         else "no"])

    o1, v1, t1 = (get("1", s, "cycles") for s in ("ofswitch", "ovs", "testpmd"))
    check("1: cycles <= 1/3 of OVS", _ratio(o1, v1), 1 / 3, "%.2f x OVS")
    check("1: cycles <= 1.5 x testpmd", _ratio(o1, t1), 1.5, "%.2f x testpmd")
    for k in ("3a", "3b", "4"):
        check("%s: cycles <= 1/5 of OVS" % k,
              _ratio(get(k, "ofswitch", "cycles"), get(k, "ovs", "cycles")), 0.2, "%.2f x OVS")
    check("5: rate >= 1/2 of scenario 3 (10k flows)",
          _ratio(get("5", "ofswitch", "mpps"), get("3a", "ofswitch", "mpps")), 0.5,
          "%.2f x scenario 3a", le=False)
    base, churn = get("6", "ofswitch", "base_mpps"), get("6", "ofswitch", "mpps")
    check("6: rate lost to churn <= 10%",
          100 * (1 - churn / base) if base and churn is not None else None, 10, "%.1f %%")
    mis = get("6", "ofswitch", "misforwarded")
    loss = get("6", "ofswitch", "loss_pct")
    if mis is None:
        rows.append(["6: no misforwarded packet", "not measured", "-"])
    else:
        rows.append(["6: no misforwarded packet", "%d out port 1 (loss %.4f %%, as without "
                     "churn: %.4f %%)" % (mis, loss, get("6", "ofswitch", "base_loss_pct") or 0),
                     "yes" if mis == 0 else "no"])
    def own(k, s):
        return _own(results.get((k, s)))
    for k in OWN_WORK_KEYS:
        name = "%s: own work <= 1/2 of OVS's" % k
        cycles = [get(k, s, "cycles") for s in ("ofswitch", "ovs", "testpmd")]
        if None not in cycles and (own(k, "ofswitch") is None or own(k, "ovs") is None):
            rows.append([name, "not comparable: no run between agreeing floors with "
                         "cycles above them", "-"])
            continue
        check(name, _ratio(own(k, "ofswitch"), own(k, "ovs")), 0.5, "%.2f x OVS")
    one = get("8", "ofswitch-1stage", "entries")
    check("8: hits >= 95 %", get("8", "ofswitch", "hit_pct"), 95, "%.2f %%", le=False)
    check("8: entries <= 1 % of one stage's", _ratio(get("8", "ofswitch", "entries"), one),
          0.01, "%.4f x")
    check("8: Mpps >= 3 x OVS", _ratio(get("8", "ofswitch", "mpps"), get("8", "ovs", "mpps")),
          3, "%.2f x OVS", le=False)
    check("9: Mpps >= 2 x OVS", _ratio(get("9", "ofswitch", "mpps"), get("9", "ovs", "mpps")),
          2, "%.2f x OVS", le=False)
    check("4: entries <= OVS megaflows",
          _ratio(get("4", "ofswitch", "entries"), get("4", "ovs", "entries")), 1.0, "%.2f x OVS")
    worst = [get(k, "ofswitch", "p99") for k in ("1", "2", "3a", "3b", "4", "5", "8", "9")]
    worst = [w for w in worst if w is not None]
    check("p99 latency at the fixed rate, cache filling, every scenario <= 100 us",
          max(worst) if worst else None, 100, "%.0f us (worst)")
    for key in ("ofctl", "pipelined"):
        o = [v for k, v in (results.get(("7", "ofswitch")) or {}).items() if k.startswith(key)] \
            if isinstance(results.get(("7", "ofswitch")), dict) else []
        v = [v for k, v in (results.get(("7", "ovs")) or {}).items() if k.startswith(key)] \
            if isinstance(results.get(("7", "ovs")), dict) else []
        check("7: flow-mods/s >= 10 x OVS (%s)" % key,
              min(a / b for a, b in zip(o, v)) if o and v else None, 10, "%.1f x OVS", le=False)
    return rows
