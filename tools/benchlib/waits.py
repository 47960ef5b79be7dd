# SPDX-License-Identifier: Apache-2.0
"""How long the generator and the system's forwarding thread waited for
their CPUs during a latency run: runnable, but another task ran there (a
daemon of the machine, a kernel thread, the system's own agent). The
kernel keeps it per thread (/proc/PID/task/TID/schedstat, second field:
nanoseconds waiting on a run queue). A generator kept off its core sends
its backlog in a burst afterwards, and a forwarder kept off its core
holds what arrived: either shows in the latency tail, which is why the
report puts these next to p99. Stalls of the virtual CPU itself are not
in it (stalls.py sees those)."""
import os
import time

from .systems import FWD_CPU


def _tids(pid):
    try:
        return [int(t) for t in os.listdir("/proc/%d/task" % pid)]
    except OSError:
        return []


def _pinned_to(pid, tid, cpu):
    try:
        with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
            for line in f:
                if line.startswith("Cpus_allowed_list:"):
                    return line.split(":", 1)[1].strip() == str(cpu)
    except OSError:
        pass
    return False


def tasks(pids, cpu=None):
    """The threads of PIDS as (pid, tid); with CPU, only those pinned to
    that CPU alone (a system's forwarding thread)."""
    return [(p, t) for p in pids for t in _tids(p) if cpu is None or _pinned_to(p, t, cpu)]


def _run_delay(pid, tid):
    try:
        with open("/proc/%d/task/%d/schedstat" % (pid, tid)) as f:
            return int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None


class Watch:
    """Run-queue waits of the generator's threads and of the forwarding
    thread(s) from now until stop()."""

    def __init__(self, gen_pid, system_pids, cpu=FWD_CPU):
        self.groups = {"gen": tasks([gen_pid]), "fwd": tasks(system_pids, cpu)}
        self.t0 = time.monotonic()
        self.before = {k: {t: _run_delay(*t) for t in v} for k, v in self.groups.items()}

    def stop(self):
        """{"gen_wait_ms_per_s", "fwd_wait_ms_per_s"}: milliseconds a second
        waited, summed over each group's threads (None: no thread seen)."""
        dt = time.monotonic() - self.t0
        out = {}
        for k, ts in self.groups.items():
            total, seen = 0, False
            for t in ts:
                a, b = self.before[k].get(t), _run_delay(*t)
                if a is not None and b is not None:
                    total += b - a
                    seen = True
            out[k + "_wait_ms_per_s"] = round(total / 1e6 / dt, 2) if seen and dt > 0 else None
        return out
