#!/usr/bin/env python3
"""Makes a real ~20 MB Cargo workspace out of the vendored benchmark crates, for timing the
language server on real code (`lsp_latency.py --workspace`).

The crates of the tuning set (bench/crates.txt, in $UNAWAITED_BENCH_DIR/vendor) and then of the
check set (bench/check-crates.txt, in $UNAWAITED_BENCH_DIR/check) are copied, in list order,
into $UNAWAITED_BENCH_DIR/realws/<name>-<version>/ until their Rust sources reach --mb MB, and
a root `Cargo.toml` names them as workspace members. Copies, not symlinks: the tool does not
follow links that leave the tree.

Usage: python3 bench/real_workspace.py [--mb 20]   (prints the workspace's folder)
"""

import argparse
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR")


def crates(list_file, folder):
    for line in open(os.path.join(HERE, list_file)):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, version = line.split()[:2]
        path = os.path.join(BENCH_DIR, folder, f"{name}-{version}")
        if os.path.isdir(path):
            yield path


def rust_bytes(path):
    return sum(os.path.getsize(os.path.join(dp, f))
               for dp, _, fs in os.walk(path) for f in fs if f.endswith(".rs"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=20)
    args = ap.parse_args()
    if not BENCH_DIR:
        sys.exit("set UNAWAITED_BENCH_DIR (see bench/README.md)")
    out = os.path.join(BENCH_DIR, "realws")
    members, total = [], 0
    sources = list(crates("crates.txt", "vendor")) + list(crates("check-crates.txt", "check"))
    for src in sources:
        if total >= args.mb * 1e6:
            break
        name = os.path.basename(src)
        members.append(name)
        total += rust_bytes(src)
    if os.path.isdir(out) and sorted(os.listdir(out)) == sorted(members + ["Cargo.toml"]):
        print(out)
        return
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for src in sources:
        name = os.path.basename(src)
        if name in members:
            shutil.copytree(src, os.path.join(out, name), symlinks=True)
    with open(os.path.join(out, "Cargo.toml"), "w") as f:
        f.write("[workspace]\nresolver = \"2\"\nmembers = [\n")
        f.writelines(f"    \"{m}\",\n" for m in members)
        f.write("]\n")
    print(f"{out}: {len(members)} crates, {total / 1e6:.1f} MB of Rust", file=sys.stderr)
    print(out)


if __name__ == "__main__":
    main()
