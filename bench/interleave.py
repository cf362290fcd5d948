#!/usr/bin/env python3
"""Cold time and peak memory of several builds against the floor, runs interleaved (floor, then
each build, in turn, `--reps` times), so that every build sees the same machine load. Medians
(min-max) of wall seconds, CPU seconds (user + system, from wait4: the measure that other work
on a shared machine disturbs least) and peak RSS (MB, from wait4), and each build's ratio to
the floor.

Usage:
    python3 bench/interleave.py --floor target/release/examples/parse_floor \\
        --tool before=/tmp/unawaited-old --tool after=target/release/unawaited \\
        [--jobs 2] [--reps 5] DIR...

The tool runs as `unawaited check DIR... -q --exit-zero --jobs N --no-cache` with `CARGO_HOME`
an empty temporary folder; the floor as `parse_floor --jobs N DIR...`.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time


def run(cmd, env):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{cmd[0]} exited with {code}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--floor", required=True)
    ap.add_argument("--tool", action="append", default=[], help="NAME=BINARY")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="interleave-home-")
    env = dict(os.environ, CARGO_HOME=home)
    runs = [("floor", [args.floor, "--jobs", str(args.jobs), *args.dirs])]
    for spec in args.tool:
        name, binary = spec.split("=", 1)
        runs.append((name, [binary, "check", *args.dirs, "-q", "--exit-zero", "--jobs",
                            str(args.jobs), "--no-cache"]))
    results = {name: [] for name, _ in runs}
    for _ in range(args.reps):
        for name, cmd in runs:
            results[name].append(run(cmd, env))
    floor_t = statistics.median(w for w, _, _ in results["floor"])
    floor_m = statistics.median(m for _, m, _ in results["floor"])
    floor_c = statistics.median(c for _, _, c in results["floor"])
    print(f"{' '.join(args.dirs)}: {args.reps} interleaved runs, {args.jobs} threads, "
          f"load {os.getloadavg()[0]:.2f}")
    print("| build | s median (min-max) | × floor | CPU s median (min-max) | × floor "
          "| peak MB median (min-max) | × floor |")
    print("|---|---|---|---|---|---|---|")
    for name, _ in runs:
        ws = [w for w, _, _ in results[name]]
        ms = [m for _, m, _ in results[name]]
        cs = [c for _, _, c in results[name]]
        t, m, c = statistics.median(ws), statistics.median(ms), statistics.median(cs)
        print(f"| {name} | {t:.3f} ({min(ws):.3f}-{max(ws):.3f}) | {t / floor_t:.2f} | "
              f"{c:.3f} ({min(cs):.3f}-{max(cs):.3f}) | {c / floor_c:.2f} | "
              f"{m:.0f} ({min(ms):.0f}-{max(ms):.0f}) | {m / floor_m:.2f} |")


if __name__ == "__main__":
    main()
