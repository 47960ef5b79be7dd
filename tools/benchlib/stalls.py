# SPDX-License-Identifier: Apache-2.0
"""The machine's own stalls on the forwarding core: a loop that does
nothing but read the clock, alone on that CPU (the system under test
frozen), counts the gaps of 50 us or more between two of its reads. In
a virtual machine these are the times the virtual CPU did not run; any
system's latency tail includes them, so the report shows them next to
each latency run."""
import subprocess
import sys

from .systems import FWD_CPU
GAP_NS = 50000

_PROBE = r"""
import gc, os, sys, time
os.sched_setaffinity(0, {int(sys.argv[1])})
gc.disable()
now = time.perf_counter_ns
end = now() + int(float(sys.argv[2]) * 1e9)
gap = int(sys.argv[3])
prev, n, stalled = now(), 0, 0
while prev < end:
    t = now()
    if t - prev >= gap:
        n += 1
        stalled += t - prev
    prev = t
print(n, stalled)
"""


def probe(seconds, cpu=FWD_CPU):
    """Gaps of 50 us or more in SECONDS of spinning on CPU, per second,
    and the milliseconds they took per second: {"stalls_per_s",
    "stalled_ms_per_s"}."""
    out = subprocess.run([sys.executable, "-c", _PROBE, str(cpu), str(seconds), str(GAP_NS)],
                         capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    n, stalled_ns = (int(x) for x in out.split())
    return {"stalls_per_s": round(n / seconds, 1),
            "stalled_ms_per_s": round(stalled_ns / 1e6 / seconds, 2)}
