#!/usr/bin/env python3
"""Issue 29's incremental targets on one crate, against the floor, interleaved: the floor cold,
the tool cold, warm with nothing changed (the run cache replays), warm after adding a fn to one
file, after editing one fn's body, and after making one fn async; medians of --rounds rounds.

Each round copies nothing: the crate is copied once to a scratch folder, and each edit is made
there (and undone at the end). Each run gets an empty CARGO_HOME and its own cache folder.
Target (issue 29): warm nothing changed <= 0.3x the floor, warm after adding a fn <= 0.6x.

Usage: python3 bench/warm_speed.py [--crate tokio-1.54.1] [--rounds 7] [--jobs 2]
       [--bin target/release/unawaited] [--floor target/release/examples/parse_floor]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")


def timed(cmd, env):
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


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
    base = statistics.median(times["floor"])
    print(f"{args.crate}, {args.jobs} threads, {args.rounds} rounds, medians (min-max):")
    for k in kinds:
        m = statistics.median(times[k])
        print(f"  {k:24} {m:6.3f} s  ({min(times[k]):.3f}-{max(times[k]):.3f})  "
              f"{m / base:5.2f}x the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
