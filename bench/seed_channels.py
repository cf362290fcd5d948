#!/usr/bin/env python3
"""Seeded recall of `channel_never_closes` on real code: after every `let (tx, rx) = ..channel..(..);`
of the tuning and check crates whose receiver a later loop of the same file drains (within 80
lines: `while let Some(..) = rx.recv()/next()`, `while rx.recv(..)`, `for x in rx`), a held clone
`let _held = tx.clone();` is inserted, and the file is checked alone (as `src/lib.rs` of a
throwaway package depending on tokio and futures). The drain loop must then be flagged, unless
the rule's conditions do not hold there (the loop runs in a `move` block that does not hold the
clone, has another way out, or the channel is of a crate the tables do not know): every miss is
listed to be read.

Usage: python3 bench/seed_channels.py TOOL   (DIR: ${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench};
CARGO_HOME: $DIR/home when it exists)
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")
sys.dont_write_bytecode = True

PAIR = re.compile(
    r"^\s*let \((?:mut )?(\w+), (?:mut )?(\w+)\)(?::[^=]*)? = [\w:]*"
    r"(channel|unbounded_channel|unbounded|sync_channel)\b"
)


def crates():
    for lst, sub in (("crates.txt", "vendor"), ("check-crates.txt", "check")):
        for line in open(os.path.join(HERE, lst)):
            words = line.split("#", 1)[0].split()
            if len(words) == 2:
                yield os.path.join(BENCH, sub, f"{words[0]}-{words[1]}")


def sites():
    for crate in crates():
        for root, _, files in os.walk(crate):
            for f in sorted(files):
                if not f.endswith(".rs"):
                    continue
                path = os.path.join(root, f)
                lines = open(path, errors="replace").read().split("\n")
                for i, line in enumerate(lines):
                    m = PAIR.match(line)
                    if not m or m.group(1).startswith("_") or not line.rstrip().endswith(";"):
                        continue
                    tx, rx = m.group(1), m.group(2)
                    drain = re.compile(
                        r"^\s*(while let (Some|Ok)\(.*\) = %s\.(recv|next)\(\)|while %s\.recv\(|"
                        r"for \w+ in &?%s(\.iter\(\))? \{)" % (rx, rx, rx)
                    )
                    for j in range(i + 1, min(i + 80, len(lines))):
                        if PAIR.match(lines[j]) and (tx in lines[j] or rx in lines[j]):
                            break
                        if drain.search(lines[j]):
                            yield path, lines, i, j, tx
                            break


def main():
    tool = os.path.abspath(sys.argv[1])
    env = dict(os.environ)
    if os.path.isdir(os.path.join(BENCH, "home")):
        env["CARGO_HOME"] = os.path.join(BENCH, "home")
    found_all = caught = 0
    with tempfile.TemporaryDirectory() as work:
        for path, lines, i, j, tx in sites():
            found_all += 1
            pkg = os.path.join(work, "pkg")
            shutil.rmtree(pkg, ignore_errors=True)
            os.makedirs(os.path.join(pkg, "src"))
            with open(os.path.join(pkg, "Cargo.toml"), "w") as f:
                f.write('[package]\nname = "seeded"\nversion = "0.1.0"\nedition = "2021"\n'
                        '[dependencies]\ntokio = "1"\nfutures = "0.3"\n')
            seeded = list(lines)
            indent = re.match(r"\s*", seeded[i]).group(0)
            seeded.insert(i + 1, f"{indent}let _held = {tx}.clone();")
            with open(os.path.join(pkg, "src", "lib.rs"), "w") as f:
                f.write("\n".join(seeded))
            out = subprocess.run(
                [tool, "check", pkg, "--select", "channel_never_closes", "--format", "json",
                 "--no-cache", "--exit-zero"],
                capture_output=True, text=True, env=env).stdout
            lines_found = [d["line"] for d in json.loads(out)["diagnostics"]]
            ok = (j + 2) in lines_found
            caught += ok
            print("caught" if ok else "MISSED", os.path.relpath(path, BENCH), f"{i + 1} -> {j + 1}",
                  seeded[j + 1].strip()[:70])
    print(f"{caught}/{found_all} caught")


if __name__ == "__main__":
    main()
