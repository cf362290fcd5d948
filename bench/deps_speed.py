#!/usr/bin/env python3
"""What reading the dependencies' sources costs: `unawaited check` with them and with
`--no-deps`, cold (no cache of any kind) and warm (both caches filled by a previous run).

The vendored tuning set (`bash bench/fetch.sh`, ~270 crates in $UNAWAITED_BENCH_DIR/vendor) is
turned into a `$CARGO_HOME`-shaped folder, $UNAWAITED_BENCH_DIR/cargo-home/registry/src/
index.crates.io-bench/NAME-VERSION (symlinks to the vendored folders), and passed as CARGO_HOME.
The vendored crates have no `Cargo.lock`: each one's dependencies are the highest vendored
versions that match its manifest. The dependency facts cache is a scratch folder
(UNAWAITED_DEPS_CACHE), emptied for cold runs; the workspace index cache is
UNAWAITED_CACHE_DIR, also emptied for cold runs.

Targets: every pinned crate (bench/crates.txt) in one run, and the single pinned crate with the
most dependencies. Targets (issue 14): warm with deps <= 1.05 x warm --no-deps; cold with deps
<= 2 x cold --no-deps.

With `--before OLD`, each measurement is taken for OLD and for `--bin` in turn, one run of each
per round (interleaved, so a change in the machine's load falls on both alike), each binary
with caches of its own: the table then shows both builds' medians with dependencies read,
cold and warm, and their ratio (no slowdown: <= 1.05). `--cargo-home DIR` measures with
another `$CARGO_HOME` (one holding many versions of many crates, as a developer's does).

Usage: python3 bench/deps_speed.py [--reps 3] [--jobs 2] [--bin PATH] [--before OLD]
       [--cargo-home DIR]
"""

import argparse
import os
import shutil
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from accuracy import crate_dir, pinned  # noqa: E402
from speed import measure  # noqa: E402

WARM_RATIO, COLD_RATIO = 1.05, 2.0


def cargo_home():
    """$BENCH/cargo-home with one registry folder of symlinks to the vendored crates."""
    vendor = os.path.join(BENCH_DIR, "vendor")
    if not os.path.isdir(vendor):
        sys.exit(f"{vendor} is missing: run `bash bench/fetch.sh` first")
    home = os.path.join(BENCH_DIR, "cargo-home")
    reg = os.path.join(home, "registry", "src", "index.crates.io-bench")
    os.makedirs(reg, exist_ok=True)
    for name in sorted(os.listdir(vendor)):
        link = os.path.join(reg, name)
        if not os.path.lexists(link):
            os.symlink(os.path.join(vendor, name), link)
    return home


def dep_count(path):
    """Dependencies a vendored manifest declares (all sections)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return 0
    with open(os.path.join(path, "Cargo.toml"), "rb") as f:
        doc = tomllib.load(f)
    n = sum(len(doc.get(s, {})) for s in ("dependencies", "dev-dependencies", "build-dependencies"))
    for t in doc.get("target", {}).values():
        n += sum(len(t.get(s, {})) for s in ("dependencies", "dev-dependencies", "build-dependencies"))
    return n


def run(binary, dirs, jobs, reps, env, extra, cold):
    times = []
    for _ in range(reps):
        if cold:
            for d in (env["UNAWAITED_DEPS_CACHE"], env["UNAWAITED_CACHE_DIR"]):
                shutil.rmtree(d, ignore_errors=True)
        wall, _, code, err = measure(
            [binary, "check", *dirs, "--format", "json", "--jobs", str(jobs), *extra], env
        )
        if code not in (0, 1) or "panicked" in err:
            sys.exit(f"exit {code}: {err[:500]}")
        times.append(wall)
    return statistics.median(times)


def env_for(home, scratch):
    env = dict(os.environ)
    env.update(
        CARGO_HOME=home,
        UNAWAITED_DEPS_CACHE=os.path.join(scratch, "deps-cache"),
        UNAWAITED_CACHE_DIR=os.path.join(scratch, "index-cache"),
    )
    return env


def compare(before, after, targets, jobs, reps, home):
    """Both builds with dependencies read, interleaved round by round, cold then warm."""
    scratch = os.path.join(BENCH_DIR, "deps-speed")
    envs = {b: env_for(home, os.path.join(scratch, name)) for b, name in ((before, "before"), (after, "after"))}
    print(f"{'target':<28} {'cold before':>11} {'cold after':>10} {'ratio':>6}   "
          f"{'warm before':>11} {'warm after':>10} {'ratio':>6}")
    for label, dirs in targets:
        cold = {before: [], after: []}
        warm = {before: [], after: []}
        for _ in range(reps):
            for b in (before, after):
                cold[b].append(run(b, dirs, jobs, 1, envs[b], [], True))
        for b in (before, after):
            run(b, dirs, jobs, 1, envs[b], [], False)
        for _ in range(reps):
            for b in (before, after):
                warm[b].append(run(b, dirs, jobs, 1, envs[b], [], False))
        cb, ca = statistics.median(cold[before]), statistics.median(cold[after])
        wb, wa = statistics.median(warm[before]), statistics.median(warm[after])
        cr, wr = ca / cb, wa / wb
        print(f"{label:<28} {cb:>10.3f}s {ca:>9.3f}s {cr:>5.2f}{'' if cr <= WARM_RATIO else '!'}  "
              f" {wb:>10.3f}s {wa:>9.3f}s {wr:>5.2f}{'' if wr <= WARM_RATIO else '!'}")
    print(f"no slowdown: after / before <= {WARM_RATIO} ('!' marks a miss)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unawaited"))
    ap.add_argument("--before", help="an older build: compare both with dependencies read, interleaved")
    ap.add_argument("--cargo-home", help="this $CARGO_HOME instead of the vendored set's")
    args = ap.parse_args()
    home = os.path.abspath(args.cargo_home) if args.cargo_home else cargo_home()
    scratch = os.path.join(BENCH_DIR, "deps-speed")
    env = env_for(home, scratch)
    crates = [crate_dir(n, v) for n, v in pinned()]
    crates = [c for c in crates if c and os.path.isdir(c)]
    biggest = max(crates, key=dep_count)
    targets = [("all pinned crates", crates), (os.path.basename(biggest), [biggest])]
    registry = os.path.join(home, "registry", "src")
    count = sum(len(os.listdir(os.path.join(registry, d))) for d in os.listdir(registry)) if os.path.isdir(registry) else 0
    print(f"CARGO_HOME={home} ({count} crates), --jobs {args.jobs}, median of {args.reps}")
    if args.before:
        compare(args.before, args.bin, targets, args.jobs, args.reps, home)
        return
    print(f"{'target':<28} {'cold no-deps':>12} {'cold deps':>10} {'ratio':>6}   "
          f"{'warm no-deps':>12} {'warm deps':>10} {'ratio':>6}")
    for label, dirs in targets:
        cold_off = run(args.bin, dirs, args.jobs, args.reps, env, ["--no-deps"], True)
        cold_on = run(args.bin, dirs, args.jobs, args.reps, env, [], True)
        # Warm: fill both caches once, then measure.
        run(args.bin, dirs, args.jobs, 1, env, [], False)
        warm_off = run(args.bin, dirs, args.jobs, args.reps, env, ["--no-deps"], False)
        warm_on = run(args.bin, dirs, args.jobs, args.reps, env, [], False)
        cr, wr = cold_on / cold_off, warm_on / warm_off
        print(f"{label:<28} {cold_off:>11.3f}s {cold_on:>9.3f}s {cr:>5.2f}{'' if cr <= COLD_RATIO else '!'}  "
              f" {warm_off:>11.3f}s {warm_on:>9.3f}s {wr:>5.2f}{'' if wr <= WARM_RATIO else '!'}")
    print(f"targets: cold ratio <= {COLD_RATIO}, warm ratio <= {WARM_RATIO} ('!' marks a miss)")


if __name__ == "__main__":
    main()
