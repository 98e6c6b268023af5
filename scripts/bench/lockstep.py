"""Compares two training-step commands step by step: both processes are started with --lockstep,
then the driver asks them for one step each, in turn (A B, B A, A B, ...: neither always goes
first), while the other waits.
The machines here drift by 30% within a minute, so timing the two one after the other (or in two
rounds) compares the drift as much as the frameworks; adjacent steps see the same machine. Prints
one JSON object: each side's median step, and the median and quartiles of the per-pair ratios.

usage: lockstep.py --steps N [--warmup W] --a 'command...' --b 'command...'
"""
import argparse, json, shlex, statistics, subprocess, sys


def start(command):
    return subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def step(p, name):
    p.stdin.write("step\n")
    p.stdin.flush()
    line = p.stdout.readline()
    if not line:
        sys.exit(f"lockstep: {name} ended early (exit code {p.wait()})")
    return float(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    args = ap.parse_args()
    a, b = start(args.a), start(args.b)
    ta, tb, ratios = [], [], []
    for i in range(args.warmup + args.steps):
        # Alternate who goes first, so that neither always follows the other's step.
        if i % 2 == 0:
            x, y = step(a, "a"), step(b, "b")
        else:
            y, x = step(b, "b"), step(a, "a")
        if i >= args.warmup:
            ta.append(x); tb.append(y); ratios.append(x / y)
    for p in (a, b):
        p.stdin.close()
        p.wait()
    q = statistics.quantiles(ratios, n=4)
    print(json.dumps({"steps": args.steps, "a_median_step_seconds": statistics.median(ta),
                      "b_median_step_seconds": statistics.median(tb), "median_ratio_a_to_b": statistics.median(ratios),
                      "ratio_q1": q[0], "ratio_q3": q[2]}))


if __name__ == "__main__":
    main()
