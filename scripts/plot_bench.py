#!/usr/bin/python3
"""scripts/plot_bench.py JSON OUTDIR: the plot and tables of the benchmarks.

Reads Google Benchmark's JSON from bench/pfncache_bench (run by
scripts/bench), and writes into OUTDIR
  * performance.png: reader throughput and trylock misses, each as a ratio to
    the run without invalidations (100% is the limit), and
  * the tables between the generated markers of performance.md
    (<!-- BEGIN generated: bench --> ... <!-- END generated -->); the prose
    around them is left alone.
Both files are written beside and renamed, so a failure leaves the old ones.
Bad input (an unreadable or foreign JSON, a page without the markers) is
reported with exit status 2.
"""

import json
import os
import re
import sys
import tempfile

NAME = re.compile(
    r"^readers/(?P<variant>\w+)/(?P<lock>\w+)/mode:(?P<mode>\d)/rate:(?P<rate>-?\d+)/"
    r".*threads:(?P<threads>\d+)$"
)
VARIANTS = {"PrePatch": "pre-patch", "V6_9": "v6.9"}
LOCKS = {"QrwlockOf": "qrwlock", "SharedMutexOf": "std::shared_mutex"}
MODES = {0: "read_lock", 1: "read_trylock"}
RATE_NAMES = {0: "none", 1000: "1k/s", 10000: "10k/s", 100000: "100k/s", -1: "max"}
BEGIN = "<!-- BEGIN generated: bench -->"
TOP = 150  # throughput panels are clipped here (values printed)
END = "<!-- END generated -->"


def fail(msg):
    print(f"plot_bench: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")
    if not isinstance(doc, dict) or "benchmarks" not in doc:
        fail(f"{path}: not Google Benchmark JSON (no 'benchmarks')")
    runs = {}
    for b in doc["benchmarks"]:
        # Medians of the repetitions; a run without repetitions has no
        # aggregates and is taken as it is.
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        m = NAME.match(b.get("run_name", b.get("name", "")))
        if not m:
            continue
        key = (m["variant"], m["lock"], int(m["mode"]), int(m["rate"]), int(m["threads"]))
        runs[key] = b
    if not runs:
        fail(f"{path}: no readers/... benchmarks in it")
    return doc.get("context", {}), runs


def axes_of(runs):
    variants = [v for v in VARIANTS if any(k[0] == v for k in runs)]
    locks = [l for l in LOCKS if any(k[1] == l for k in runs)]
    rates = sorted({k[3] for k in runs if k[3] != 0}, key=lambda r: (r < 0, r))
    threads = sorted({k[4] for k in runs})
    return variants, locks, rates, threads


def ratio(runs, key, counter="reads_per_s"):
    base = runs.get(key[:3] + (0,) + key[4:])
    run = runs.get(key)
    if not base or not run or not base.get(counter):
        return None
    return run[counter] / base[counter]


def pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def fmt_rate(x):
    if x >= 1e6:
        return f"{x / 1e6:.1f} M"
    if x >= 1e3:
        return f"{x / 1e3:.0f} k"
    return f"{x:.0f}"


def tables(context, runs):
    variants, locks, rates, threads = axes_of(runs)
    names = [RATE_NAMES.get(r, str(r)) for r in rates]
    out = []

    def grid(columns, cells_of):
        """One row per lock, variant and reader count; cells_of returns the
        row's cells, or None to leave the row out."""
        out.append("| lock | variant | readers | " + " | ".join(columns) + " |")
        out.append("|" + "---|" * (3 + len(columns)))
        for lock in locks:
            for v in variants:
                for t in threads:
                    cells = cells_of(lock, v, t)
                    if cells is not None:
                        out.append(f"| {LOCKS[lock]} | {VARIANTS[v]} | {t} | "
                                   + " | ".join(cells) + " |")

    out.append(
        f"Machine: {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz; "
        f"{context.get('date', '')}; Google Benchmark built as "
        f"{context.get('library_build_type', '?')} (the library only: the benchmark "
        "itself is -O2). Medians of the repetitions. \"readers\" is the number of reader "
        "threads; the invalidator is one more thread.\n"
    )
    for mode in (0, 1):
        out.append(f"\n**Reader throughput, {MODES[mode]}**, as a ratio to the same "
                   "configuration without invalidations (baseline in reads/s, all readers):\n")

        def throughput(lock, v, t, mode=mode):
            base = runs.get((v, lock, mode, 0, t))
            if not base:
                return None
            return [fmt_rate(base["reads_per_s"])] + [
                pct(ratio(runs, (v, lock, mode, r, t))) for r in rates]
        grid(["baseline"] + names, throughput)

    out.append("\n**read_trylock failures** (the share of attempts that found the lock "
               "unavailable; the Xen fast path falls back to its slow path on each):\n")

    def misses(lock, v, t):
        return ["n/a" if (v, lock, 1, r, t) not in runs
                else f"{100 * runs[(v, lock, 1, r, t)].get('miss_rate', 0):.3f}%"
                for r in [0] + rates]
    grid(["none"] + names, misses)

    if rates:
        top = rates[-1]
        out.append(f"\n**Reader latency** of one read_lock + check + use + unlock (ns, "
                   f"sampled), without invalidations and at rate {RATE_NAMES.get(top, top)}:\n")

        def latency(lock, v, t):
            a, b = runs.get((v, lock, 0, 0, t)), runs.get((v, lock, 0, top, t))
            if not a or not b:
                return None
            return [f"{x.get(k, 0):.0f}" for x in (a, b) for k in ("p50_ns", "p99_ns", "p999_ns")]
        grid(["p50", "p99", "p99.9"] * 2, latency)

        out.append("\n**Invalidations achieved** per second (the invalidator is paced; "
                   "\"max\" is back to back), read_lock mode:\n")

        def achieved(lock, v, t):
            return ["n/a" if (v, lock, 0, r, t) not in runs
                    else fmt_rate(runs[(v, lock, 0, r, t)].get("inval_per_s", 0)) for r in rates]
        grid(names, achieved)
    return "\n".join(out) + "\n"


def write_atomically(path, data, binary=False):
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb" if binary else "w") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def update_page(page, block):
    try:
        with open(page) as f:
            text = f.read()
    except OSError as e:
        fail(f"cannot read {page}: {e}")
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        fail(f"{page}: no {BEGIN} ... {END} block to fill")
    write_atomically(page, text[: i + len(BEGIN)] + "\n" + block + text[j:])


def plot(runs, png):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        fail("matplotlib is missing: install python3-matplotlib (scripts/setup --plot)")
    variants, locks, rates, threads = axes_of(runs)
    fig, axs = plt.subplots(3, len(locks), figsize=(6 * len(locks), 12), squeeze=False,
                            sharex=True)
    xs = list(range(len(rates)))
    colors = {t: c for t, c in zip(threads, ["tab:blue", "tab:orange", "tab:green", "tab:red"])}
    style = {"PrePatch": "--", "V6_9": "-"}
    marker = {"PrePatch": "s", "V6_9": "o"}
    for col, lock in enumerate(locks):
        for row, (mode, what) in enumerate([(0, "throughput"), (1, "throughput"), (1, "misses")]):
            ax = axs[row][col]
            for v in variants:
                for t in threads:
                    if what == "throughput":
                        ys = [ratio(runs, (v, lock, mode, r, t)) for r in rates]
                        ys = [None if y is None else 100 * y for y in ys]
                    else:
                        ys = [100 * runs[(v, lock, 1, r, t)].get("miss_rate", 0)
                              if (v, lock, 1, r, t) in runs else None for r in rates]
                    shown = [float("nan") if y is None else y for y in ys]
                    if what == "throughput":
                        # Oversubscribed rows can exceed the baseline by a lot
                        # (see performance.md); clip them and print the value.
                        for x, y in zip(xs, shown):
                            if y > TOP:
                                ax.annotate(f"{y:.0f}%", (x, TOP), fontsize=7,
                                            color=colors.get(t, "black"),
                                            xytext=(3, -10), textcoords="offset points")
                        shown = [min(y, TOP) for y in shown]
                    ax.plot(xs, shown,
                            style[v], marker=marker[v], color=colors.get(t, "black"),
                            label=f"{VARIANTS[v]}, {t} reader{'s' if t > 1 else ''}")
            if what == "throughput":
                ax.axhline(100, color="grey", lw=0.8)
                ax.set_ylabel(f"{MODES[mode]} reads/s, % of no invalidations")
                ax.set_ylim(0, TOP + 5)
            else:
                ax.set_ylabel("read_trylock failures, % of attempts")
                ax.set_ylim(bottom=0)
            ax.set_title(f"{LOCKS[lock]}: {MODES[mode]} {what}")
            ax.grid(True, alpha=0.3)
            ax.set_xticks(xs)
            ax.set_xticklabels([RATE_NAMES.get(r, str(r)) for r in rates])
        axs[-1][col].set_xlabel("unrelated invalidations (rate)")
    axs[0][0].legend(fontsize=8)
    fig.suptitle("Readers of one pfncache under invalidations of other pages:\n"
                 "pre-patch (write lock per cache) vs v6.9 (read-lock pre-check)")
    fig.tight_layout()
    d = os.path.dirname(png) or "."
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=90)
        os.replace(tmp, png)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    if len(argv) != 3:
        print("usage: plot_bench.py BENCH_JSON OUTDIR", file=sys.stderr)
        return 2
    src, outdir = argv[1], argv[2]
    if not os.path.isdir(outdir):
        fail(f"{outdir}: not a directory")
    context, runs = load(src)
    page = os.path.join(outdir, "performance.md")
    block = tables(context, runs)
    # Check the page before drawing, so that bad input changes nothing.
    try:
        with open(page) as f:
            text = f.read()
    except OSError as e:
        fail(f"cannot read {page}: {e}")
    if BEGIN not in text or END not in text:
        fail(f"{page}: no {BEGIN} ... {END} block to fill")
    plot(runs, os.path.join(outdir, "performance.png"))
    update_page(page, block)
    print(f"plot_bench: wrote {outdir}/performance.png and the tables of {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
