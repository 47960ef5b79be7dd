# SPDX-License-Identifier: Apache-2.0
"""The results file: what a tools/bench run measured, as JSON, written next
to the Markdown report (docs/benchmarks.json beside docs/benchmarks.md), so
the charts (benchlib/plots.py) can be drawn again without running anything
(tools/bench --plots-from FILE).

{"format": FORMAT, "command": "tools/bench ...", "reps": N, "duration": S,
 "latency_rate": MPPS, "systems": ["ofswitch", ...],
 "scenarios": [{"key": "1", "title": "...", "kind": "traffic|churn|flowmod"}],
 "machine": [["date", "..."], ...],
 "results": [{"scenario": "1", "system": "ofswitch", "result": {...}}
             | {"scenario": ..., "system": ..., "error": "..."}]}

A traffic result has mpps, loss_pct, cycles, p50, p90, p99, p99_9 (µs),
entries, masks, load_s; a churn result also base_mpps, base_cycles,
churn_rate, misforwarded, and "series" / "base_series" (runner.Sampler:
t, mpps, flow_mods_per_s); a flow-mod result ofctl_N and pipelined_N.
Keys a run did not measure are missing or null."""
import json

FORMAT = "ofswitch-bench-results/1"


class ResultsError(ValueError):
    """The file is not a results file; the message says why (one line)."""


def save(path, results, scenarios, systems, opts, machine, command):
    doc = {
        "format": FORMAT,
        "command": command,
        "reps": opts.reps,
        "duration": opts.duration,
        "latency_rate": opts.latency_rate,
        "latency_reps": opts.latency_reps,
        "systems": list(systems),
        "scenarios": [{"key": sc.key, "title": sc.title, "kind": sc.kind} for sc in scenarios],
        "machine": [list(kv) for kv in machine],
        "results": [],
    }
    for sc in scenarios:
        for s in systems:
            r = results.get((sc.key, s))
            if isinstance(r, dict):
                doc["results"].append({"scenario": sc.key, "system": s, "result": r})
            elif isinstance(r, str):
                doc["results"].append({"scenario": sc.key, "system": s, "error": r})
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def load(path):
    """The document, checked enough that plotting it cannot fail on its shape."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise ResultsError("cannot read %s: %s" % (path, e.strerror))
    except ValueError as e:
        raise ResultsError("%s is not JSON: %s" % (path, e))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ResultsError("%s is not a tools/bench results file (no \"format\": \"%s\")"
                           % (path, FORMAT))
    for key, kind in (("systems", list), ("scenarios", list), ("results", list)):
        if not isinstance(doc.get(key), kind):
            raise ResultsError("%s: \"%s\" is missing or not a list" % (path, key))
    keys = set()
    for sc in doc["scenarios"]:
        if not isinstance(sc, dict) or not {"key", "title", "kind"} <= set(sc):
            raise ResultsError("%s: a scenario lacks key, title or kind" % path)
        keys.add(sc["key"])
    for r in doc["results"]:
        if (not isinstance(r, dict) or r.get("scenario") not in keys
                or r.get("system") not in doc["systems"]
                or not isinstance(r.get("result", r.get("error")), (dict, str))):
            raise ResultsError("%s: a result names no known scenario and system, or holds "
                               "neither a result nor an error" % path)
    return doc


def by_key(doc):
    """(scenario key, system) -> result dict, for the runs that worked."""
    return {(r["scenario"], r["system"]): r["result"] for r in doc["results"] if "result" in r}
