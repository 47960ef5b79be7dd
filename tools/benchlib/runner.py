# SPDX-License-Identifier: Apache-2.0
"""Runs one scenario on one system and returns what it measured.

Traffic scenarios: the system starts, its rules load through OpenFlow
(ovs-ofctl add-flows), then the generator runs at full speed; when the
generator's warm-up ends the system's own counters are cleared, and they
are read again just before the measured period ends (memif counters go
when the peer disconnects), which gives cycles/packet on the forwarding
core for a window inside the measured period. A second, shorter run at a
fixed rate gives latency away from saturation. In the churn scenario both
runs (without and with churn) also sample, every SAMPLE_S seconds of the
measured period, what the system sent out of port 2 (PORT_STATS over an
OpenFlow connection of their own) and the flow mods acknowledged so far:
the time series of the churn chart (benchlib/plots.py)."""
import json
import os
import statistics
import subprocess
import threading
import time

from . import ofconn, procs, scenarios, stalls, systems, waits

SAMPLE_S = 0.25  # seconds between the samples of a time series


class Generator:
    def __init__(self, build, mem, root):
        self.exe = os.path.join(build, "tools", "pktgen", "ofs-pktgen")
        self.mem, self.root = mem, root
        self.runs = 0

    def start(self, system, traffic, duration, warmup, rate=0.0):
        self.runs += 1
        d = system.dir
        self.err = os.path.join(self.root, "pktgen-%d.err" % self.runs)
        self.out = os.path.join(self.root, "pktgen-%d.json" % self.runs)
        argv = [self.exe, "-l", "0"] + self.mem.eal(1024) + procs.eal_common("bench-pg") + [
            "--", "--tx-port", systems.memif(1, d, "client"),
            "--rx-port", systems.memif(2, d, "client"),
            "--port-queues", str(system.port_queues), "--json", "--duration", str(duration),
            "--warmup", str(warmup), "--rate", str(rate), "--link-timeout", "30",
            "--hold"] + traffic
        self.system = system
        self.proc = procs.spawn(argv, self.err, stdout=self.out, stdin=subprocess.PIPE)
        try:
            procs.wait_for(lambda: "sending:" in open(self.err, errors="replace").read(),
                           "the generator sending to %s" % system.name, 60, self.proc, self.err)
        except procs.BenchError as e:
            sys_log = getattr(system, "log", None)
            if sys_log:  # The other side of a link that did not come up.
                raise procs.BenchError("%s; %s's log: %s" % (e, system.name,
                                                           procs.log_tail(sys_log)))
            raise
        return time.monotonic()

    def _reported(self):
        try:
            with open(self.out) as f:
                json.load(f)
            return True
        except (OSError, ValueError):
            return False

    def finish(self, timeout):
        """The generator's report. It holds its ports open after reporting
        (--hold) until the system stopped polling them, then leaves."""
        try:
            procs.wait_for(lambda: self._reported() or self.proc.poll() is not None,
                           "the generator's report", timeout, None, self.err)
        except procs.BenchError:
            procs.stop(self.proc)
            raise procs.BenchError("the generator did not finish within %d s" % timeout)
        quiet = self.proc.poll() is None
        if quiet:
            self.system.ports_idle(True)
        try:
            self.proc.stdin.close()
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
        finally:
            procs.stop(self.proc)
            if quiet:
                self.system.ports_idle(False)
        if self.proc.returncode != 0:
            raise procs.BenchError("ofs-pktgen failed (exit %d): %s" % (
                self.proc.returncode, open(self.err, errors="replace").read()[-600:]))
        return json.load(open(self.out))


class Sampler:
    """A thread that reads the system's port 2 TX packets (PORT_STATS) and
    PROGRESS["acked"] every SAMPLE_S seconds until stop(); times are
    seconds since ORIGIN (time.monotonic(): when measuring began)."""

    def __init__(self, system, origin, progress=None):
        self.conn = ofconn.Conn("127.0.0.1", system.of_port, timeout=10)
        self.progress = progress
        self.samples, self.error = [], None
        self.done = threading.Event()
        self.th = threading.Thread(target=self.run)
        self.t0 = origin
        self.th.start()

    def run(self):
        try:
            next_t = time.monotonic()
            while not self.done.is_set():
                tx = self.conn.port_tx_packets(2)
                acked = self.progress.get("acked", 0) if self.progress is not None else None
                self.samples.append((time.monotonic() - self.t0, tx, acked))
                next_t += SAMPLE_S
                self.done.wait(max(0.0, next_t - time.monotonic()))
        except (OSError, RuntimeError) as e:
            self.error = str(e)

    def stop(self):
        """The series: t (s, middle of each interval), Mpps out of port 2,
        flow-mods/s acknowledged (None without PROGRESS)."""
        self.done.set()
        self.th.join()
        self.conn.close()
        if self.error:
            raise procs.BenchError("sampling port 2: " + self.error)
        s = self.samples
        pairs = [(a, b) for a, b in zip(s, s[1:]) if b[0] > a[0]]
        return {
            "interval_s": SAMPLE_S,
            "t": [round((a[0] + b[0]) / 2, 3) for a, b in pairs],
            "mpps": [round((b[1] - a[1]) / (b[0] - a[0]) / 1e6, 4) for a, b in pairs],
            "flow_mods_per_s": None if self.progress is None else [
                round((b[2] - a[2]) / (b[0] - a[0])) for a, b in pairs],
        }


def traffic_run(gen, system, sc, duration, rate=0.0, sample=True, during=None, series=False,
                progress=None, warmup=None, watch_waits=False):
    """One generator run; returns (generator JSON, cycles/packet or None,
    result of DURING(system) started when measuring begins; with SERIES,
    also "series": Sampler.stop()'s, PROGRESS shared with DURING). WARMUP:
    seconds before measuring (default the scenario's). WATCH_WAITS: also
    the generator's and the forwarding thread's run-queue waits (waits.py)."""
    warmup = sc.warmup if warmup is None else warmup
    t0 = gen.start(system, sc.traffic, duration, warmup, rate)
    cycles, side = None, {}
    watch = waits.Watch(gen.proc.pid, system.pids()) if watch_waits else None
    time.sleep(warmup + 0.3)
    if sample:
        system.clear_stats()
    sampler = Sampler(system, t0 + warmup, progress) if series else None
    th = None
    if during:
        th = threading.Thread(target=lambda: side.update(during(system)))
        th.start()
    time.sleep(max(0.0, t0 + warmup + duration - 0.6 - time.monotonic()))
    if sampler:
        side["series"] = sampler.stop()
    if sample:
        cycles = system.cycles_per_packet()
    if during:
        side.update(misforwarded=system.port_tx(1))
    if watch:
        side.update(watch.stop())
    res = gen.finish(duration + warmup + 60)
    if th:
        th.join()
    return res, cycles, side


def median_run(runs, key):
    """The run whose KEY is the median of the runs' (the lower middle one
    of an even count); runs without KEY count as the largest."""
    ranked = sorted(runs, key=lambda r: (r.get(key) is None, r.get(key) or 0))
    return ranked[(len(ranked) - 1) // 2]


def summarize(runs):
    """Median over repetitions of each measured number; a time series is
    the last repetition's."""
    def med(xs):
        xs = [x for x in xs if x is not None]
        return statistics.median(xs) if xs else None
    out = {k: med([r.get(k) for r in runs]) for k in runs[0] if k != "series"}
    if "series" in runs[-1]:
        out["series"] = runs[-1]["series"]
    return out


def one_rep(system, sc, gen, opts, churn=None, progress=None):
    """One measured run at full speed (with DURING churn if given)."""
    if progress is not None:
        progress.clear()
    res, cycles, side = traffic_run(gen, system, sc, opts.duration, during=churn,
                                    series=sc.kind == "churn", progress=progress)
    r = {"mpps": res["rx"]["mpps"], "tx_mpps": res["tx"]["mpps"],
         "loss_pct": res["loss"]["percent"], "cycles": cycles, "foreign": res["rx"]["foreign"]}
    r.update(side)
    return r


def with_cache(system, out):
    out["entries"], out["masks"] = system.cache_size()
    out.update(system.cache_detail())
    return out


def measure_churn(system, sc, gen, opts, churn, progress):
    """Runs without and with churn in turn, rep after rep: a change of this
    virtual machine's speed (it changes between minutes) then falls on both
    sides alike instead of on one. Returns both medians."""
    base, loaded = [], []
    for _ in range(opts.reps):
        base.append(one_rep(system, sc, gen, opts))
        loaded.append(one_rep(system, sc, gen, opts, churn, progress))
    return summarize(base), with_cache(system, summarize(loaded))


def floor_rep(system, floor, sc, gen, opts):
    """testpmd's cycles/packet on its own ports while SYSTEM is frozen:
    the memif floor in the machine's state of that moment. This virtual
    machine's speed changes between minutes (the same fixed work of
    testpmd costs 140 or 500 cycles a packet), so a floor says something
    about a system's cycles only when measured next to them."""
    system.pause(True)
    floor.pause(False)
    try:
        return one_rep(floor, sc, gen, opts)["cycles"]
    finally:
        floor.pause(True)
        system.pause(False)


FLOOR_AGREE = 1.15  # Floors before and after a run this close: no change of speed between.


def measure_traffic(system, sc, gen, opts, floor=None):
    """The system's runs at full speed (median), then its latency run. With
    FLOOR (a frozen testpmd): a floor run before the first run and after
    each (the system frozen), so every run lies between two floors; own
    work = the median, over the runs whose two floors agree (the machine
    kept its speed around them), of cycles minus the floors' mean. None
    when no run qualifies."""
    reps, floors = [], []
    if floor:
        floors.append(floor_rep(system, floor, sc, gen, opts))
    for _ in range(opts.reps):
        reps.append(one_rep(system, sc, gen, opts))
        if floor:
            floors.append(floor_rep(system, floor, sc, gen, opts))
    out = with_cache(system, summarize(reps))
    if floor:
        runs = [[r["cycles"], floors[k], floors[k + 1]] for k, r in enumerate(reps)]
        own = [c - (a + b) / 2 for c, a, b in runs
               if c and a and b and max(a, b) <= FLOOR_AGREE * min(a, b)]
        out["own_runs"] = [[round(x, 1) if x else x for x in run] for run in runs]
        out["own_work"] = statistics.median(own) if own else None
        out["floor_cycles"] = statistics.median(f for f in floors if f) if any(floors) else None
    if opts.latency_rate > 0:
        # The machine's own stalls on the forwarding core, the system frozen:
        # its tail includes them (stalls.py).
        system.pause(True)
        try:
            out.update(stalls.probe(0.5 if opts.quick else 1.0))
        finally:
            system.pause(False)
        # While the cache fills again: the misses' cost shows in the tail.
        # Each run from an empty cache; the run with the median p99 is
        # reported whole (its percentiles, waits and fill belong together),
        # like the median of the runs at full speed.
        lats = []
        for _ in range(opts.latency_reps):
            system.flush_cache()
            system.clear_stats()
            res, _, side = traffic_run(gen, system, sc, opts.latency_duration,
                                       rate=opts.latency_rate, sample=False, warmup=0.0,
                                       watch_waits=True)
            lat = res["latency_us"]
            side.update(p50=lat["p50"], p90=lat["p90"], p99=lat["p99"], p99_9=lat["p99_9"],
                        lat_loss_pct=res["loss"]["percent"])
            side.update(system.fill_polls())
            lats.append(side)
        out.update(median_run(lats, "p99"))
        out["p99_runs"] = [r["p99"] for r in lats]
    return out


def run_traffic(system_cls, sc, ctx, opts, tag):
    system = system_cls(ctx.root, ctx.mem, ctx.build)
    system.start(tag)
    try:
        load_s = None
        if system.has_openflow:
            path = os.path.join(system.dir, "flows")
            with open(path, "w") as f:
                for line in sc.rules():
                    f.write(line + "\n")
            load_s = system.load_flows(path, scenarios.count_rules(path))
        if sc.kind == "churn":
            if not system.has_openflow:
                return None
            dsts = [scenarios.TEN + 2 * i for i in range(500)]  # host routes in use
            progress = {}

            def churn(s):
                host, port = "127.0.0.1", s.of_port
                done, rate = ofconn.churn(host, port, sc.extra["churn_rate"],
                                          opts.duration - 1.0, dsts, 0xC0000201,
                                          progress=progress)
                return {"flow_mods": done, "churn_rate": rate}
            base, with_churn = measure_churn(system, sc, ctx.gen, opts, churn, progress)
            with_churn["base_mpps"] = base["mpps"]
            with_churn["base_cycles"] = base["cycles"]
            with_churn["base_loss_pct"] = base["loss_pct"]
            with_churn["base_series"] = base.get("series")
            return with_churn
        floor = None
        if (sc.key in scenarios.OWN_WORK_KEYS and system_cls is not systems.Testpmd
                and "testpmd" in opts.systems):
            floor = systems.Testpmd(ctx.root, ctx.mem, ctx.build)
            floor.start(sc.key + "-floor")
            floor.pause(True)
        try:
            out = measure_traffic(system, sc, ctx.gen, opts, floor)
        finally:
            if floor:
                floor.pause(False)
                floor.stop()
        out["load_s"] = load_s
    finally:
        system.stop()
    return out


def run_flowmod(system_cls, sc, ctx, opts, tag):
    """Scenario 7 on a running system: N rules with ovs-ofctl add-flows
    (which waits for a barrier after each), then the same N pipelined with
    one barrier at the end; both checked with dump-aggregate."""
    system = system_cls(ctx.root, ctx.mem, ctx.build)
    if not system.has_openflow:
        return None
    system.start(tag)
    out = {}
    try:
        for n in sc.extra["sizes"]:
            path = os.path.join(system.dir, "flows-%d" % n)
            with open(path, "w") as f:
                for line in scenarios.flowmod_rules(n):
                    f.write(line + "\n")
            dt = system.load_flows(path, n)
            out["ofctl_%d" % n] = n / dt
            systems.ofctl(system.target, "del-flows", timeout=600)
            rate, _ = ofconn.pipelined_install("127.0.0.1", system.of_port, n)
            got = systems.flow_count(system.target)
            if got != n:
                raise procs.BenchError("%s holds %d flows after the pipelined install, want %d"
                                       % (system.name, got, n))
            out["pipelined_%d" % n] = rate
            systems.ofctl(system.target, "del-flows", timeout=600)
        return out
    finally:
        system.stop()
