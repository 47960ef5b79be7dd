# SPDX-License-Identifier: Apache-2.0
"""Processes, directories and hugepages the benchmark starts, and their
cleanup: everything registered here is undone by cleanup(), which runs at
exit and on SIGINT/SIGTERM, so a run leaves nothing behind."""
import os
import shutil
import signal
import socket
import subprocess
import time

_procs = []  # Popen objects still to stop
_pidfiles = []  # daemons (Open vSwitch) known by pidfile
_dirs = []  # directories to remove
_undo = []  # callables, run last first


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and why."""


def spawn(argv, log, stdin=None, env=None, stdout=None):
    """Start ARGV with stderr (and stdout, unless the file STDOUT is given)
    in the file LOG; registered for cleanup."""
    f = open(log, "wb")
    out = open(stdout, "wb") if stdout else f
    p = subprocess.Popen(argv, stdout=out, stderr=f, stdin=stdin, env=env,
                         start_new_session=True)
    f.close()
    out.close()
    _procs.append(p)
    return p


def stop(p, timeout=15.0):
    """SIGTERM, then SIGKILL after TIMEOUT; unregisters P."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in _procs:
        _procs.remove(p)


def run(argv, check=True, timeout=None, env=None):
    """Run ARGV to completion; its stdout as text. Raises BenchError."""
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise BenchError("%s: no answer within %s s" % (" ".join(argv[:3]), timeout))
    if check and r.returncode != 0:
        raise BenchError("%s failed (exit %d): %s" % (" ".join(argv[:6]), r.returncode,
                                                      (r.stderr or r.stdout).strip()[-400:]))
    return r.stdout


def pidfile(path):
    _pidfiles.append(path)


def kill_pidfile(path):
    try:
        pid = int(open(path).read().strip())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(150):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def workdir(path):
    """Create PATH empty; removed at cleanup."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    _dirs.append(path)
    return path


def on_cleanup(fn):
    _undo.append(fn)


def cleanup():
    for p in list(_procs):
        stop(p, 5.0)
    for f in _pidfiles:
        kill_pidfile(f)
    del _pidfiles[:]
    while _undo:
        try:
            _undo.pop()()
        except Exception as e:  # cleanup goes on whatever one step did
            print("tools/bench: cleanup: %s" % e)
    for d in _dirs:
        shutil.rmtree(d, ignore_errors=True)
    del _dirs[:]


def wait_for(pred, what, timeout=30.0, proc=None, log=None):
    """Poll PRED until true; BenchError naming WHAT (and LOG's tail) if not."""
    t_end = time.monotonic() + timeout
    why = "within %g s" % timeout
    while time.monotonic() < t_end:
        if pred():
            return
        if proc is not None and proc.poll() is not None:
            why = "(it exited with status %d)" % proc.returncode
            break
        time.sleep(0.1)
    tail = ": " + log_tail(log) if log else ""
    raise BenchError("%s did not happen %s%s" % (what, why, tail))


def log_tail(log, n=600):
    """The end of a log file, on one line (sanitizer reports: their first line)."""
    if not os.path.exists(log):
        return "(no log)"
    text = open(log, errors="replace").read()
    i = text.find("ERROR: AddressSanitizer")
    if i < 0:
        i = text.find("runtime error")
    return (text[i:i + n] if i >= 0 else text[-n:]).strip().replace("\n", " | ")


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tcp_listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def unix_listening():
    """Paths of the Unix sockets that listen in this network namespace."""
    paths = set()
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            cols = line.split()
            # Flags __SO_ACCEPTCON (0x10000): listen() was called.
            if len(cols) >= 8 and int(cols[3], 16) & 0x10000:
                paths.add(cols[7])
    return paths


class Memory:
    """How the DPDK processes get memory: 2 MB hugepages reserved for the
    run in a private hugetlbfs mount (files unlinked as soon as mapped), or
    --no-huge when they cannot be reserved. Restores nr_hugepages after."""

    NR = "/proc/sys/vm/nr_hugepages"

    def __init__(self, want_pages, root, allow_huge=True):
        self.huge_dir = None
        self.why = "hugepages not requested (--no-huge)"
        if not allow_huge:
            return
        try:
            before = int(open(self.NR).read())
            with open(self.NR, "w") as f:
                f.write(str(before + want_pages))
            got = int(open(self.NR).read()) - before
            on_cleanup(lambda: open(self.NR, "w").write(str(before)))
            if got < want_pages:
                self.why = "only %d of %d hugepages could be reserved" % (got, want_pages)
                return
            d = os.path.join(root, "hugetlbfs")
            os.makedirs(d, exist_ok=True)
            run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "nodev", d])
            on_cleanup(lambda: run(["umount", d], check=False))
            self.huge_dir = d
            self.why = "%d hugepages of 2 MB reserved for the run" % want_pages
        except (OSError, BenchError) as e:
            self.why = "hugepages unavailable (%s)" % e

    def eal(self, mb):
        """EAL memory arguments for a process that needs MB megabytes."""
        if self.huge_dir:
            return ["-m", str(mb), "--huge-dir", self.huge_dir, "--huge-unlink"]
        return ["--no-huge", "-m", str(mb)]

    @property
    def huge(self):
        return self.huge_dir is not None


_prefixes = set()


def eal_common(prefix):
    """EAL arguments every process shares. Its runtime directory (created
    even with --no-shconf, and left by dpdk-testpmd) goes at cleanup."""
    if prefix not in _prefixes:
        _prefixes.add(prefix)
        on_cleanup(lambda: shutil.rmtree(os.path.join(RUNTIME_DIR, prefix), ignore_errors=True))
    return ["--no-pci", "--no-shconf", "--no-telemetry", "--file-prefix", prefix]


RUNTIME_DIR = "/var/run/dpdk"
