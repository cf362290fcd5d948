#!/usr/bin/env python3
"""Issue 29's incremental targets on one crate, against the floor, interleaved: the floor cold,
the tool cold, warm with nothing changed (the run cache replays), warm after adding a fn to one
file, after editing one fn's body, and after making one fn async; medians of --rounds rounds.

Each round copies nothing: the crate is copied once to a scratch folder, and each edit is made
there (and undone at the end). Each run gets an empty CARGO_HOME and its own cache folder.
Target (issue 29): warm nothing changed <= 0.3x the floor, warm after adding a fn <= 0.6x.
Each row gives the wall time and, steadier on a busy machine, the CPU time (user + system of
the process and its threads), each against the floor's own.

Usage: python3 bench/warm_speed.py [--crate tokio-1.54.1] [--rounds 7] [--jobs 2]
       [--bin target/release/unawaited] [--floor target/release/examples/parse_floor]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, env):
    """(wall seconds, CPU seconds) of one run of `cmd`."""
    cpu = children_cpu()
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start, children_cpu() - cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crate", default="tokio-1.54.1")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/unawaited"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "target/release/examples/parse_floor"))
    ap.add_argument("--file", default="src/time/sleep.rs",
                    help="the file edited (relative to the crate)")
    args = ap.parse_args()

    scratch = tempfile.mkdtemp(prefix="warm-speed-")
    tree = os.path.join(scratch, args.crate)
    shutil.copytree(os.path.join(BENCH_DIR, "vendor", args.crate), tree)
    home = os.path.join(scratch, "home")
    os.makedirs(home)
    cache = os.path.join(scratch, "cache")
    env = dict(os.environ, CARGO_HOME=home, UNAWAITED_CACHE_DIR=cache)
    edited = os.path.join(tree, args.file)
    with open(edited, encoding="utf-8") as f:
        original = f.read()
    tool = [args.bin, "check", tree, "-q", "--exit-zero", "--jobs", str(args.jobs)]
    floor = [args.floor, "--jobs", str(args.jobs), tree]

    def write(text):
        with open(edited, "w", encoding="utf-8") as f:
            f.write(text)

    kinds = ["floor", "cold", "warm nothing changed", "warm, a fn added",
             "warm, a body edited", "warm, a fn made async"]
    times = {k: [] for k in kinds}
    try:
        for r in range(args.rounds):
            times["floor"].append(timed(floor, env))
            shutil.rmtree(cache, ignore_errors=True)
            times["cold"].append(timed(tool, env))
            timed(tool, env)  # records the run
            times["warm nothing changed"].append(timed(tool, env))
            write(original + f"\npub fn added_by_bench_{r}() {{}}\n")
            times["warm, a fn added"].append(timed(tool, env))
            write(original + f"\npub fn added_by_bench_{r}() {{ let _x = {r}; }}\n")
            times["warm, a body edited"].append(timed(tool, env))
            write(original + f"\npub async fn added_by_bench_{r}() {{ let _x = {r}; }}\n")
            times["warm, a fn made async"].append(timed(tool, env))
            write(original)
            timed(tool, env)
    finally:
        write(original)
        shutil.rmtree(scratch, ignore_errors=True)
    walls = {k: [t[0] for t in v] for k, v in times.items()}
    cpus = {k: [t[1] for t in v] for k, v in times.items()}
    base = statistics.median(walls["floor"])
    base_cpu = statistics.median(cpus["floor"])
    print(f"{args.crate}, {args.jobs} threads, {args.rounds} rounds, medians (min-max); "
          f"wall, then CPU (user + system):")
    for k in kinds:
        m = statistics.median(walls[k])
        c = statistics.median(cpus[k])
        print(f"  {k:24} {m:6.3f} s  ({min(walls[k]):.3f}-{max(walls[k]):.3f})  "
              f"{m / base:5.2f}x the floor  |  CPU {c:6.3f} s  "
              f"({min(cpus[k]):.3f}-{max(cpus[k]):.3f})  {c / base_cpu:5.2f}x the floor's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
