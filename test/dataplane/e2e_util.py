# SPDX-License-Identifier: Apache-2.0
"""What the end-to-end scripts that run the ofswitch executable share:
waiting by condition, starting a switch in a private directory and
talking to it with ofswitch-ctl, and stopping it."""
import json
import os
import re
import signal
import subprocess
import time


def wait_until(cond, what, timeout=10.0):
    """Poll cond() until it returns something true (returned); raise naming
    `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


class Switch:
    """An ofswitch process with its control socket and log in directory d,
    one passive OpenFlow listener (for ovs-ofctl) and the given options;
    prefix runs it (and ovs-ofctl) elsewhere, e.g. ip netns exec NS.
    telemetry=True leaves DPDK telemetry on: its socket is in EAL's runtime
    directory for file_prefix (dpdk-telemetry.py -f FILE_PREFIX)."""

    def __init__(self, exe, ctl_exe, d, name, ports, options=(), lcores="0-1", prefix=(),
                 telemetry=False):
        self.ctl_exe, self.d, self.prefix = ctl_exe, d, list(prefix)
        self.sock = os.path.join(d, name + ".ctl")
        self.log = os.path.join(d, name + ".log")
        self.file_prefix = f"ofs-{name}-{os.getpid()}"
        args = self.prefix + [exe, "-l", lcores, "--no-huge", "-m", "512", "--no-pci", "--no-shconf"]
        if not telemetry:
            args.append("--no-telemetry")
        args += [f"--file-prefix={self.file_prefix}", "--"]
        for num, dev in ports:
            args += ["--port", f"{num}={dev}"]
        args += ["--controller", "ptcp:0", "--ctl-socket", self.sock] + list(options)
        with open(self.log, "w") as f:
            self.proc = subprocess.Popen(args, stdout=f, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: os.path.exists(self.sock) or self.proc.poll() is not None,
                       "ofswitch's control socket", 30)
        except TimeoutError:
            pass
        if not os.path.exists(self.sock):
            raise RuntimeError("ofswitch did not start: " + self.log_text()[-800:])
        show = self.json("show")
        port = re.match(r"ptcp:(\d+):", show["controllers"][0]["target"]).group(1)
        self.target = f"tcp:127.0.0.1:{port}"

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def ctl(self, *args, check=True):
        r = subprocess.run([self.ctl_exe, "-t", self.sock] + list(args), capture_output=True,
                           text=True, timeout=20)
        if check and r.returncode:
            raise RuntimeError(f"ofswitch-ctl {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def json(self, *args):
        return json.loads(self.ctl("--json", *args))

    def of(self, *args):
        """ovs-ofctl -O OpenFlow13 CMD TARGET ARGS..."""
        subprocess.run(self.prefix + ["ovs-ofctl", "-O", "OpenFlow13", args[0], self.target] +
                       list(args[1:]), check=True, capture_output=True, text=True, timeout=20)

    def port(self, num):
        return {p["port"]: p for p in self.json("ports")["ports"]}[num]

    def controller(self, target_prefix):
        """The first controllers row whose target starts with the prefix."""
        for c in self.json("show")["controllers"]:
            if c["target"].startswith(target_prefix):
                return c
        return None

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def stop(self):
        """SIGTERM; returns the exit status (a clean stop is 0)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
