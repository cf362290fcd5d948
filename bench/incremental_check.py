#!/usr/bin/env python3
"""Incremental runs give what a run without the cache gives, on a real crate: a copy of one
vendored crate is edited step by step (a fn added, a sync fn made async, a fn others call
renamed away, a parameter added, a file added, a file deleted, a macro_rules! another file calls
changed, the configuration changed, an edit undone), and after each step the tool with its
cache (warm: the run cache, the walk cache per name) and with --no-cache must print the same
JSON. Exit 1 on any difference.

Usage: python3 bench/incremental_check.py [--crate tokio-1.54.1] [--bin target/release/unawaited]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crate", default="tokio-1.54.1")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/unawaited"))
    args = ap.parse_args()
    scratch = tempfile.mkdtemp(prefix="incremental-")
    tree = os.path.join(scratch, args.crate)
    shutil.copytree(os.path.join(BENCH_DIR, "vendor", args.crate), tree)
    os.makedirs(os.path.join(scratch, "home"))
    env = dict(os.environ, CARGO_HOME=os.path.join(scratch, "home"),
               UNAWAITED_CACHE_DIR=os.path.join(scratch, "cache"), UNAWAITED_TIMINGS="1")

    def run(*extra):
        p = subprocess.run([args.bin, "check", ".", "--format", "json", "--exit-zero", *extra],
                           cwd=tree, env=env, capture_output=True, text=True, check=False)
        walked = re.search(r"walk \((\d+) files walked, (\d+) reused\)", p.stderr)
        how = "replayed" if "outcome replayed" in p.stderr else (
            f"{walked.group(1)} walked, {walked.group(2)} reused" if walked else "?")
        return p.stdout, how

    def path(rel):
        return os.path.join(tree, rel)

    def edit(rel, fn):
        with open(path(rel), encoding="utf-8") as f:
            text = f.read()
        new = fn(text)
        assert new != text, f"the edit of {rel} changed nothing"
        with open(path(rel), "w", encoding="utf-8") as f:
            f.write(new)

    lib = "src/lib.rs"
    steps = [
        ("nothing changed", lambda: None),
        ("a fn added", lambda: edit("src/time/sleep.rs", lambda t: t + "\npub fn bench_added() {}\n")),
        ("a body edited", lambda: edit("src/time/sleep.rs",
                                       lambda t: t.replace("fn bench_added() {}", "fn bench_added() { let _x = 1; }"))),
        ("a sync fn made async", lambda: edit("src/time/sleep.rs",
                                              lambda t: t.replace("pub fn sleep(duration", "pub async fn sleep(duration", 1))),
        ("a fn others call renamed away", lambda: edit("src/time/sleep.rs",
                                                       lambda t: t.replace("pub fn sleep_until(", "pub fn sleep_until_gone(", 1))),
        ("a parameter added", lambda: edit("src/time/sleep.rs",
                                           lambda t: t.replace("fn bench_added() {", "fn bench_added(_n: u8) {"))),
        ("a file added", lambda: (
            open(path("src/bench_extra.rs"), "w").write(
                "pub async fn more() {}\npub async fn go() {\n    more();\n}\n"),
            edit(lib, lambda t: t + "\nmod bench_extra;\n"))),
        ("a file deleted", lambda: os.remove(path("src/bench_extra.rs"))),
        ("a macro and a file calling it", lambda: (
            open(path("src/bench_macro.rs"), "w").write(
                "macro_rules! bench_make {\n    ($n:ident) => { pub async fn $n() {} };\n}\n"),
            open(path("src/bench_user.rs"), "w").write(
                "bench_make!(bench_made);\npub async fn go() {\n    bench_made();\n}\n"),
            edit(lib, lambda t: "#[macro_use]\nmod bench_macro;\n" + t + "\nmod bench_user;\n"))),
        ("the macro made sync", lambda: edit("src/bench_macro.rs",
                                             lambda t: t.replace("pub async fn", "pub fn"))),
        ("the configuration changed", lambda: open(path("unawaited.toml"), "w").write(
            "blocking = [\"crate::time::sleep::bench_added\"]\n")),
        ("then nothing changed", lambda: None),
    ]
    failed = 0
    try:
        run()
        for what, step in steps:
            step()
            warm, how = run()
            cold, _ = run("--no-cache")
            same = warm == cold
            failed += not same
            print(f"{what:32} {how:28} {'same as --no-cache' if same else 'DIFFERENT'}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
