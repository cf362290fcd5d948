#!/usr/bin/env python3
"""Speed and memory of `unawaited check` against the floor — a bare walk + read +
`syn::parse_file` of the same files (examples/parse_floor.rs) — at 1 and 2 threads, in one run.

Targets: the vendored benchmark crates (bench/fetch.sh) and a generated ~20 MB workspace.
Prints wall time (median of --reps) and peak RSS, and the ratios against the targets:
tool/floor time <= 1.3 at each thread count, tool 1->2 thread speedup >= 1.7, tool/floor
peak memory <= 2.0.

Usage: python3 bench/speed.py [--reps 3] [--generated-mb 20] [--skip-crates]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")
sys.path.insert(0, HERE)
from accuracy import crate_dir, pinned  # noqa: E402


def measure(cmd, cwd=None):
    """Wall seconds and peak RSS (MB) of one run of `cmd`."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited with {code}")
    return wall, usage.ru_maxrss / 1024.0


def median_run(cmd, reps):
    runs = [measure(cmd) for _ in range(reps)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def generate(root, megabytes):
    """A deterministic async workspace of roughly `megabytes` MB."""
    marker = os.path.join(root, ".generated")
    if os.path.exists(marker) and open(marker).read() == str(megabytes):
        return
    src = os.path.join(root, "src")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(root, "Cargo.toml"), "w") as f:
        f.write('[package]\nname = "generated"\nversion = "0.1.0"\nedition = "2021"\n')
    module_count = max(1, megabytes * 1_000_000 // 24_000)
    with open(os.path.join(src, "lib.rs"), "w") as f:
        for m in range(module_count):
            f.write(f"pub mod m{m};\n")
    for m in range(module_count):
        parts = [f"use std::time::Duration;\nuse tokio::sync::mpsc;\nuse crate::m{(m + 1) % module_count} as next;\n\n"]
        parts.append(f"pub struct Service{m} {{\n    tx: mpsc::Sender<u64>,\n    count: u64,\n}}\n\n")
        parts.append(f"impl Service{m} {{\n")
        for i in range(30):
            parts.append(
                f"    pub async fn step_{i}(&mut self, value: u64) -> u64 {{\n"
                f"        let doubled = value.wrapping_mul({i + 2});\n"
                f"        if doubled % 3 == 0 {{\n"
                f"            self.tx.send(doubled).await.ok();\n"
                f"        }}\n"
                f"        tokio::time::sleep(Duration::from_micros({i})).await;\n"
                f"        self.count += 1;\n"
                f"        next::helper_{i}(doubled).await\n"
                f"    }}\n\n"
            )
        parts.append("}\n\n")
        for i in range(30):
            parts.append(
                f"pub async fn helper_{i}(value: u64) -> u64 {{\n"
                f"    let handle = tokio::spawn(async move {{ value + {i} }});\n"
                f"    let items: Vec<u64> = (0..{i % 7 + 1}).map(|x| x * value).collect();\n"
                f"    handle.await.unwrap_or_default() + items.iter().sum::<u64>()\n"
                f"}}\n\n"
            )
        with open(os.path.join(src, f"m{m}.rs"), "w") as f:
            f.write("".join(parts))
    with open(marker, "w") as f:
        f.write(str(megabytes))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unawaited"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "target", "release", "examples", "parse_floor"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--generated-mb", type=int, default=20)
    ap.add_argument("--skip-crates", action="store_true")
    args = ap.parse_args()
    for path in (args.bin, args.floor):
        if not os.path.exists(path):
            sys.exit(f"missing {path}: cargo build --release && cargo build --release --example parse_floor")
    targets = []
    if not args.skip_crates:
        dirs = [d for d in (crate_dir(n, v) for n, v in pinned()) if d]
        if dirs:
            targets.append(("benchmark crates", dirs))
    gen = os.path.join(BENCH_DIR, "generated")
    generate(gen, args.generated_mb)
    targets.append((f"generated {args.generated_mb} MB", [gen]))

    print(f"{'target':<20} {'jobs':>4} {'floor s':>8} {'tool s':>8} {'ratio':>6} {'floor MB':>9} {'tool MB':>8} {'ratio':>6}")
    for name, dirs in targets:
        tool_times = {}
        for jobs in (1, 2):
            floor_t, floor_m = median_run([args.floor, "--jobs", str(jobs), *dirs], args.reps)
            tool_t, tool_m = median_run([args.bin, "check", "--format", "json", "--jobs", str(jobs), *dirs], args.reps)
            tool_times[jobs] = tool_t
            print(f"{name:<20} {jobs:>4} {floor_t:>8.3f} {tool_t:>8.3f} {tool_t / floor_t:>6.2f} "
                  f"{floor_m:>9.1f} {tool_m:>8.1f} {tool_m / floor_m:>6.2f}")
        print(f"{name:<20} tool speedup 1 -> 2 threads: {tool_times[1] / tool_times[2]:.2f}")
    print("targets: time ratio <= 1.3, speedup >= 1.7, memory ratio <= 2.0")


if __name__ == "__main__":
    main()
