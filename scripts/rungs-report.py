#!/usr/bin/env python3
"""Compares real searches from their exports (issue 13 §3): for each run, the wall-clock time it ran
(first proposal to last settlement), trainings started and completed at the full budget, trainings per
hour, the compute in full trainings' worth of steps (a candidate stopped at a rung or by a non-finite
loss counts the steps it took), and the best full-budget validation fitness reached
(with the time it was reached). Writes best-so-far against wall-clock time as an SVG beside the first
export (stdlib only: Debian's python3 here has no matplotlib).
Usage: rungs-report.py RUN.csv [RUN.csv ...]"""
import csv, datetime, os, re, sys

STOPPED = re.compile(r"stopped at ([0-9.]+) of the budget")
DIVERGED = re.compile(r"non-finite loss at step (\d+)")


def when(s):
    return datetime.datetime.fromisoformat(s.rstrip("Z")[:26])


def load(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] not in ("rejected", "deduplicated")]
    if not rows:
        sys.exit(f"{path}: no trainings")
    start = min(when(r["proposed_at"]) for r in rows)
    settled = [r for r in rows if r["settled_at"]]
    end = max(when(r["settled_at"]) for r in settled)
    full = [r for r in settled if r["status"] == "completed" and r["fitness"]]
    # A full training's steps: the last point of a completed training's learning curve.
    per_training = max((int(r["curve"].split(";")[-1].split(":")[1]) for r in full if r["curve"]), default=0)
    steps = 0.0  # in full trainings' worth
    for r in settled:
        stopped_at, diverged_at = STOPPED.search(r["reason"] or ""), DIVERGED.search(r["reason"] or "")
        if stopped_at:
            steps += float(stopped_at.group(1))
        elif diverged_at and per_training:  # stopped by its own non-finite loss: it cost the steps it took
            steps += (int(diverged_at.group(1)) + 1) / per_training
        else:
            steps += 1.0
    best, curve = None, []
    for r in sorted(full, key=lambda r: when(r["settled_at"])):
        v = float(r["fitness"])
        if best is None or v > best[0]:
            best = (v, r["expression"], (when(r["settled_at"]) - start).total_seconds() / 60)
            curve.append((best[2], v))
    hours = (end - start).total_seconds() / 3600
    stopped = sum(1 for r in settled if r["status"] == "stopped")
    return dict(name=os.path.splitext(os.path.basename(path))[0], hours=hours, settled=len(settled),
                full=len(full), stopped=stopped, steps=steps, best=best, curve=curve,
                failed=sum(1 for r in settled if r["status"] in ("failed", "diverged")))


def svg(runs, path):
    w, h, m = 640, 360, 50
    t_max = max(r["hours"] * 60 for r in runs)
    vals = [v for r in runs for _, v in r["curve"]]
    lo, hi = min(vals), max(vals)
    lo, hi = lo - 0.002, hi + 0.002
    x = lambda t: m + (w - 2 * m) * t / t_max
    y = lambda v: h - m - (h - 2 * m) * (v - lo) / (hi - lo)
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{m}" y1="{h-m}" x2="{w-m}" y2="{h-m}" stroke="black"/><line x1="{m}" y1="{m}" x2="{m}" y2="{h-m}" stroke="black"/>',
             f'<text x="{w/2}" y="{h-12}" text-anchor="middle">wall-clock minutes</text>',
             f'<text x="14" y="{h/2}" transform="rotate(-90 14 {h/2})" text-anchor="middle">best full-budget val. accuracy</text>']
    for i in range(5):
        t = t_max * i / 4
        v = lo + (hi - lo) * i / 4
        parts.append(f'<text x="{x(t)}" y="{h-m+16}" text-anchor="middle">{t:.0f}</text>')
        parts.append(f'<text x="{m-4}" y="{y(v)+4}" text-anchor="end">{v:.3f}</text>')
    for i, r in enumerate(runs):
        pts, prev = [], None
        for t, v in r["curve"]:
            if prev is not None:
                pts.append(f"{x(t):.1f},{y(prev):.1f}")
            pts.append(f"{x(t):.1f},{y(v):.1f}")
            prev = v
        pts.append(f"{x(r['hours'] * 60):.1f},{y(prev):.1f}")
        c = colors[i % len(colors)]
        parts.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{" ".join(pts)}"/>')
        parts.append(f'<text x="{w-m-150}" y="{m+16*i}" fill="{c}">{r["name"]}</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = [load(p) for p in sys.argv[1:]]
    print("| run | wall-clock | trainings settled | full-budget | stopped at a rung | failed/diverged | full trainings' worth of steps | trainings/h | full-budget/h | best full-budget val. acc | found at | best |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        b = r["best"]
        print(f"| {r['name']} | {r['hours']*60:.1f} min | {r['settled']} | {r['full']} | {r['stopped']} | {r['failed']} | {r['steps']:.1f} | "
              f"{r['settled']/r['hours']:.1f} | {r['full']/r['hours']:.1f} | {b[0]:.4f} | {b[2]:.1f} min | `{b[1]}` |")
    out = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "best-vs-time.svg")
    svg(runs, out)
    print(f"\nplot: {out}")


if __name__ == "__main__":
    main()
