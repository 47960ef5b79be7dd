# SPDX-License-Identifier: Apache-2.0
"""The release build tools/bench and tools/soak run (or a tree given)."""
import json
import os
import subprocess

from . import procs


def prepare(repo, build, packages_arg=None):
    """Install what is missing (tools/deps PACKAGES_ARG when given), build
    the release tree build-bench/ unless BUILD names a tree; returns (the
    tree's absolute path, a one-line description of how it was built)."""
    if os.geteuid() != 0:
        raise procs.BenchError("needs root (DPDK, hugepages, network namespaces)")
    if packages_arg:
        subprocess.run([os.path.join(repo, "tools", "deps"), packages_arg], check=True)
    b = build
    if not b:
        b = os.path.join(repo, "build-bench")
        if not os.path.exists(os.path.join(b, "build.ninja")):
            subprocess.run(["meson", "setup", b, "-Dbuildtype=release"], cwd=repo, check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", b, "dataplane/ofswitch", "tools/ofswitch-ctl",
                        "tools/pktgen/ofs-pktgen"], check=True, stdout=subprocess.DEVNULL)
    b = os.path.abspath(b)
    o = {x["name"]: x["value"]
         for x in json.loads(procs.run(["meson", "introspect", "--buildoptions", b]))}
    cc = procs.run(["cc", "--version"]).splitlines()[0]
    return b, "%s, -O%s, -march=%s (meson buildtype %s)" % (
        cc, o.get("optimization"), o.get("machine"), o.get("buildtype"))
