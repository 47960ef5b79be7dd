# SPDX-License-Identifier: Apache-2.0
"""Charts of a tools/bench run, as SVG files beside the report (Debian's
python3-matplotlib): from a run's results, or from a saved results file
(benchlib/results.py) with `tools/bench --plots-from FILE`.

  STEM-cycles.svg   cycles/packet on the forwarding core per traffic
                    scenario, one bar per system (log scale)
  STEM-churn.svg    the churn scenario over time: Mpps out of port 2
                    without and with churn, and the flow-mods/s applied
                    (from runner.Sampler; a run that recorded no series is
                    drawn as its medians, and the chart says so)
  STEM-latency.svg  latency percentiles (p50, p90, p99, p99.9) per traffic
                    scenario and system at the fixed latency rate (log scale)

Text stays text in the SVG (svg.fonttype none), so the files name their
systems and scenarios, and the files are the same for the same results
(fixed hash salt, no date)."""
import os
import textwrap

from . import results as resultslib

NAMES = {"ofswitch": "ofswitch", "ovs": "Open vSwitch (DPDK datapath)",
         "testpmd": "dpdk-testpmd io (no lookup)"}
COLORS = {"ofswitch": "#1f77b4", "ovs": "#ff7f0e", "testpmd": "#7f7f7f"}
PERCENTILES = [("p50", "p50", "o"), ("p90", "p90", "^"), ("p99", "p99", "s"),
               ("p99_9", "p99.9", "D")]
CHARTS = [("cycles", "cycles/packet per scenario and system"),
          ("churn", "forwarding rate over time, without and with flow-mod churn"),
          ("latency", "latency percentiles per scenario and system")]


class PlotError(RuntimeError):
    """Charts cannot be drawn here; the message says why (one line)."""


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise PlotError("python3-matplotlib is not installed (tools/deps installs it)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matplotlib.rcParams.update({
        "svg.fonttype": "none",  # text stays searchable text
        "svg.hashsalt": "ofswitch-bench",  # the same ids every time
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    return plt


def _name(s):
    return NAMES.get(s, s)


def _color(s, i):
    return COLORS.get(s, "C%d" % (i + 3))


def _label(sc, width=22):
    return sc["key"] + "\n" + "\n".join(textwrap.wrap(sc["title"], width))


def _short(v):
    if v is None:
        return ""
    if v >= 10000:
        return "%.0fk" % (v / 1000)
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def _save(plt, fig, path):
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)


def _traffic(doc):
    return [sc for sc in doc["scenarios"] if sc["kind"] == "traffic"]


def cycles_chart(plt, doc, path):
    res = resultslib.by_key(doc)
    scs, systems = _traffic(doc), doc["systems"]
    fig, ax = plt.subplots(figsize=(10, 4.8))
    width = 0.8 / max(1, len(systems))
    for i, s in enumerate(systems):
        xs, ys = [], []
        for j, sc in enumerate(scs):
            v = res.get((sc["key"], s), {}).get("cycles")
            if v:
                xs.append(j - 0.4 + width * (i + 0.5))
                ys.append(v)
        bars = ax.bar(xs, ys, width, label=_name(s), color=_color(s, i))
        for b, v in zip(bars, ys):
            ax.annotate(_short(v), (b.get_x() + b.get_width() / 2, v), ha="center",
                        va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_xticks(range(len(scs)))
    ax.set_xticklabels([_label(sc) for sc in scs], fontsize=7)
    ax.set_ylabel("cycles per packet (log scale)")
    ax.set_title("Cycles per packet on the forwarding core, 64-byte frames (lower is better)")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    _save(plt, fig, path)


def churn_chart(plt, doc, path, sc):
    res = resultslib.by_key(doc)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    ax2 = None
    flat = False
    dur = doc.get("duration") or 5.0
    for i, s in enumerate(doc["systems"]):
        r = res.get((sc["key"], s))
        if not r:
            continue
        c = _color(s, i)
        series, base = r.get("series"), r.get("base_series")
        if series and base and series.get("t") and base.get("t"):
            ax.plot(base["t"], base["mpps"], color=c, linestyle=":", marker=".",
                    label="%s, no churn" % _name(s))
            ax.plot(series["t"], series["mpps"], color=c, linestyle="-", marker=".",
                    label="%s, churn" % _name(s))
            if series.get("flow_mods_per_s"):
                ax2 = ax2 or ax.twinx()
                ax2.plot(series["t"], series["flow_mods_per_s"], color=c, linestyle="--",
                         alpha=0.5, label="%s: flow-mods/s applied" % _name(s))
        else:
            flat = True
            if r.get("base_mpps") is not None:
                ax.plot([0, dur], [r["base_mpps"]] * 2, color=c, linestyle=":",
                        label="%s, no churn (median)" % _name(s))
            if r.get("mpps") is not None:
                ax.plot([0, dur], [r["mpps"]] * 2, color=c, linestyle="-",
                        label="%s, churn at %s flow-mods/s (median)" % (
                            _name(s), _short(r.get("churn_rate"))))
    ax.set_xlabel("seconds into the measured period")
    ax.set_ylabel("Mpps out of port 2")
    ax.set_ylim(bottom=0)
    title = "Scenario %s, %s" % (sc["key"], sc["title"])
    if flat:
        title += "\n(this run recorded no time series: medians of each phase)"
    ax.set_title(title)
    lines, labels = ax.get_legend_handles_labels()
    if ax2:
        ax2.set_ylabel("flow-mods/s applied (dashed)")
        ax2.set_ylim(bottom=0)
        ax2.spines["right"].set_visible(True)
        more = ax2.get_legend_handles_labels()
        lines, labels = lines + more[0], labels + more[1]
    ax.legend(lines, labels, frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    _save(plt, fig, path)


def latency_chart(plt, doc, path):
    res = resultslib.by_key(doc)
    scs, systems = _traffic(doc), doc["systems"]
    fig, ax = plt.subplots(figsize=(10, 4.8))
    step = 0.8 / max(1, len(systems))
    for i, s in enumerate(systems):
        c = _color(s, i)
        for j, sc in enumerate(scs):
            r = res.get((sc["key"], s), {})
            pts = [(r[k], m) for k, _, m in PERCENTILES if r.get(k)]
            if not pts:
                continue
            x = j - 0.4 + step * (i + 0.5)
            ax.plot([x, x], [min(p for p, _ in pts), max(p for p, _ in pts)], color=c, lw=2)
            for v, m in pts:
                ax.plot([x], [v], marker=m, color=c, markersize=5)
            if r.get("p99"):
                ax.annotate(_short(r["p99"]), (x, r["p99"]), fontsize=6, xytext=(3, 0),
                            textcoords="offset points", va="center")
    ax.set_yscale("log")
    ax.set_xticks(range(len(scs)))
    ax.set_xticklabels([_label(sc) for sc in scs], fontsize=7)
    ax.set_ylabel("latency, µs (log scale)")
    rate = doc.get("latency_rate")
    ax.set_title("Latency percentiles at a fixed %s Mpps (switch and two memif hops; "
                 "p99 labelled)" % ("%g" % rate if rate else "?"))
    handles = [plt.Line2D([], [], color=_color(s, i), lw=2, label=_name(s))
               for i, s in enumerate(systems)]
    handles += [plt.Line2D([], [], color="black", marker=m, linestyle="", label=lab)
                for _, lab, m in PERCENTILES]
    ax.legend(handles=handles, frameon=False, fontsize=8, ncol=2)
    fig.tight_layout()
    _save(plt, fig, path)


def render(doc, out_dir, stem):
    """Writes the charts DOC has data for into OUT_DIR as STEM-NAME.svg;
    returns [(name, path)] in CHARTS order."""
    plt = _pyplot()
    written = []
    path = lambda name: os.path.join(out_dir, "%s-%s.svg" % (stem, name))  # noqa: E731
    res = resultslib.by_key(doc)
    scs = _traffic(doc)
    if any(res.get((sc["key"], s), {}).get("cycles") for sc in scs for s in doc["systems"]):
        cycles_chart(plt, doc, path("cycles"))
        written.append(("cycles", path("cycles")))
    churn = [sc for sc in doc["scenarios"] if sc["kind"] == "churn"]
    if churn and any(res.get((churn[0]["key"], s)) for s in doc["systems"]):
        churn_chart(plt, doc, path("churn"), churn[0])
        written.append(("churn", path("churn")))
    if any(res.get((sc["key"], s), {}).get("p50") for sc in scs for s in doc["systems"]):
        latency_chart(plt, doc, path("latency"))
        written.append(("latency", path("latency")))
    return written


def markdown(written, relative_to, results_name):
    """The report's Charts section: each written chart as an image;
    RESULTS_NAME is how the results file is shown."""
    what = dict(CHARTS)
    lines = ["Charts (`tools/bench --plots-from %s` draws them again)" % results_name]
    for name, p in written:
        lines.append("\n![%s](%s)" % (what[name], os.path.relpath(p, relative_to)))
    return "\n".join(lines) + "\n"
