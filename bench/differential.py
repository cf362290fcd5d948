#!/usr/bin/env python3
"""Identical findings: runs two builds of `unawaited check` (--before, --after) on the same trees
and compares what they report (issue 16: before the old path is removed, the new one must give
0 differences on the fixtures, the tuning and check crates and the generated tree).

Each tree is checked on its own by each binary with `--format json --no-cache --exit-zero`
(plus every --tool-arg), with CARGO_HOME set to an empty temporary folder (no dependency source
is read) unless --cargo-home names one, and each binary with its own empty dependency-facts
cache (UNAWAITED_DEPS_CACHE), so neither reads what the other wrote.

Compared: the JSON document's `diagnostics` — rule, level, path, span, message, label, help,
notes, fix — in any order, and its `errors`. A finding is keyed by path, rule and span: one
present only before is *missing*, only after is *extra*, present in both with another field
different is *changed*. Paths are compared relative to the tree.

Trees (default: all that exist):
  fixtures   every folder and every .rs file directly under fixtures/, each on its own, as
             tests/common/trees.rs takes them; one with a home/ folder (its own fake CARGO_HOME)
             only when --cargo-home is given, and then with its own home/ as CARGO_HOME
  tuning     each pinned crate of bench/crates.txt in $DIR/vendor/<name>-<version> (bench/fetch.sh)
  check      each crate of bench/check-crates.txt in $DIR/check/<name>-<version> (bench/fetch_check.sh)
  generated  $DIR/generated (written by bench/speed.py)
where DIR is ${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}. --trees picks some: a tree's name
(`callgraph`, `tokio`, `tokio-1.54.1`, `generated`), a set's name, or any path (checked as an
extra tree).

Prints per tree the findings before and after, missing, extra, changed, error differences and
both wall times, then the totals and the first --show differences. Exit 0 when identical, 1 on
any difference, 2 when a run failed (a panic, an exit code other than 0/1, no JSON document).
--determinism also runs the after binary with --jobs 1 and compares it with its default run.

--warm runs the after binary with a cache instead of --no-cache: a first run fills a cache folder
of its own, and the second (warm) run is compared: a warm run must find what a cold one finds.

Usage: python3 bench/differential.py --before OLD --after NEW [--trees a,b] [--tool-arg ARG]...
                                     [--cargo-home DIR] [--show N] [--determinism] [--warm]
                                     [--json OUT]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__

SPAN = ("line", "column", "end_line", "end_column")
KEY = ("path", "rule") + SPAN
FIELDS = KEY + ("level", "message", "label", "help", "notes", "fix")


def pinned(list_name):
    out = []
    with open(os.path.join(HERE, list_name)) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) == 2:
                out.append(tuple(line))
    return out


class Tree:
    def __init__(self, name, group, path, cwd=None, home=None):
        self.name = name
        self.group = group
        self.path = path          # as passed to the tool (relative to cwd for fixtures)
        self.cwd = cwd or ROOT
        self.home = home          # its own CARGO_HOME, if any

    @property
    def abspath(self):
        return os.path.normpath(os.path.join(self.cwd, self.path))

    def base(self):
        """The folder the findings' paths are shown relative to."""
        p = self.abspath
        return p if os.path.isdir(p) else os.path.dirname(p)


SKIPPED = {}  # tree name -> why it is not among the default trees


def default_trees(with_homes):
    trees = []
    fixtures = os.path.join(ROOT, "fixtures")
    for entry in sorted(os.listdir(fixtures)):
        full = os.path.join(fixtures, entry)
        if not (os.path.isdir(full) or entry.endswith(".rs")):
            continue
        home = os.path.join(full, "home")
        if os.path.isdir(home):
            if not with_homes:
                SKIPPED[entry] = "it carries its own CARGO_HOME (home/): give --cargo-home to include it"
                continue
            trees.append(Tree(entry, "fixtures", os.path.join("fixtures", entry), home=home))
        else:
            trees.append(Tree(entry, "fixtures", os.path.join("fixtures", entry)))
    for group, list_name, folder in (("tuning", "crates.txt", "vendor"), ("check", "check-crates.txt", "check")):
        for name, version in pinned(list_name):
            path = os.path.join(BENCH_DIR, folder, f"{name}-{version}")
            if os.path.isfile(os.path.join(path, "Cargo.toml")):
                trees.append(Tree(f"{name}-{version}", group, path))
            else:
                print(f"(skipping {group} crate {name} {version}: not in {path})", file=sys.stderr)
    gen = os.path.join(BENCH_DIR, "generated")
    if os.path.isdir(gen):
        trees.append(Tree("generated", "generated", gen))
    else:
        print(f"(skipping the generated tree: {gen} does not exist; bench/speed.py writes it)", file=sys.stderr)
    return trees


def pick(trees, wanted):
    chosen, seen = [], set()
    for want in wanted:
        hits = [t for t in trees
                if want in (t.name, t.group) or t.name.rsplit("-", 1)[0] == want
                or os.path.abspath(want) == t.abspath]
        if not hits and want in SKIPPED:
            sys.exit(f"--trees: {want} is left out: {SKIPPED[want]}")
        if not hits:
            if not os.path.exists(want):
                sys.exit(f"--trees: {want} is neither a tree, a set (fixtures, tuning, check, generated) nor a path")
            hits = [Tree(want, "path", os.path.abspath(want))]
        for t in hits:
            if t.abspath not in seen:
                seen.add(t.abspath)
                chosen.append(t)
    return chosen


def run(binary, tree, args, env, warm_cache=None):
    """One run; returns (document or None, why it failed or None, seconds). With `warm_cache`
    (an empty folder), the run uses that cache folder instead of `--no-cache`: a first run fills
    it, and the second, warm one is the answer (and is timed)."""
    cmd = [binary, "check", tree.path, "--format", "json", "--no-cache", "--exit-zero", *args]
    if warm_cache:
        cmd.remove("--no-cache")
        env = dict(env, UNAWAITED_CACHE_DIR=warm_cache)
        subprocess.run(cmd, cwd=tree.cwd, capture_output=True, env=env)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree.cwd, capture_output=True, text=True, env=env)
    secs = time.perf_counter() - start
    failure = None
    doc = None
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        failure = "no JSON document on stdout"
    if proc.returncode not in (0, 1):
        failure = f"exit code {proc.returncode}"
    if "panicked" in proc.stderr:
        failure = "panicked"
    if failure:
        tail = proc.stderr.strip().splitlines()[-5:]
        return None, f"{failure}: {' | '.join(tail)}", secs
    base = tree.base()
    for item in doc.get("diagnostics", []) + doc.get("errors", []):
        path = item.get("path")
        if path:
            full = os.path.normpath(os.path.join(tree.cwd, path))
            item["path"] = os.path.relpath(full, base).replace(os.sep, "/")
    return doc, None, secs


def canon(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def project(diag, all_fields):
    if all_fields:
        return dict(diag)
    return {k: diag.get(k) for k in FIELDS}


def compare(before, after, all_fields):
    """(missing, extra, changed, error differences) between two documents."""
    groups = defaultdict(lambda: ([], []))
    for side, doc in ((0, before), (1, after)):
        for d in doc.get("diagnostics", []):
            p = project(d, all_fields)
            groups[tuple(canon(p.get(k)) for k in KEY)][side].append(p)
    missing, extra, changed = [], [], []
    for key in sorted(groups):
        old, new = groups[key]
        old = sorted(old, key=canon)
        new = sorted(new, key=canon)
        new_left = list(new)
        old_left = []
        for d in old:
            c = canon(d)
            hit = next((i for i, n in enumerate(new_left) if canon(n) == c), None)
            if hit is None:
                old_left.append(d)
            else:
                new_left.pop(hit)
        # Same key, something else differs: pair them up in order.
        for o, n in zip(old_left, new_left):
            changed.append((o, n))
        missing.extend(old_left[len(new_left):])
        extra.extend(new_left[len(old_left):])
    old_errors = sorted(canon(e) for e in before.get("errors", []))
    new_errors = sorted(canon(e) for e in after.get("errors", []))
    errors = []
    rest = list(new_errors)
    for e in old_errors:
        if e in rest:
            rest.remove(e)
        else:
            errors.append(("missing error", e))
    errors.extend(("extra error", e) for e in rest)
    return missing, extra, changed, errors


def where(d):
    return f"{d.get('path')}:{d.get('line')}:{d.get('column')}-{d.get('end_line')}:{d.get('end_column')} {d.get('rule')}"


def describe(tree, kind, item):
    if kind in ("missing", "extra"):
        return f"{kind:<8} {tree}/{where(item)} [{item.get('level')}]: {item.get('message')}"
    if kind == "changed":
        old, new = item
        fields = [k for k in sorted(set(old) | set(new)) if canon(old.get(k)) != canon(new.get(k))]
        detail = "; ".join(f"{k}: {canon(old.get(k))} -> {canon(new.get(k))}" for k in fields)
        return f"changed  {tree}/{where(old)}: {detail}"
    return f"{kind}: {tree}: {item}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", required=True, help="the reference binary")
    ap.add_argument("--after", required=True, help="the binary under test")
    ap.add_argument("--trees", help="comma-separated tree names, sets (fixtures, tuning, check, generated) or paths")
    ap.add_argument("--tool-arg", action="append", default=[],
                    help="extra argument for every run of both binaries (repeatable), e.g. --tool-arg=--no-deps")
    ap.add_argument("--after-arg", action="append", default=[], help=argparse.SUPPRESS)  # to prove a difference is found
    ap.add_argument("--cargo-home", help="CARGO_HOME for both binaries (default: an empty temporary folder)")
    ap.add_argument("--show", type=int, default=20, help="list the first N differences (default 20)")
    ap.add_argument("--all-fields", action="store_true", help="compare every field of a finding, not only the listed ones")
    ap.add_argument("--determinism", action="store_true",
                    help="also run the after binary with --jobs 1 and compare it with its default run")
    ap.add_argument("--warm", action="store_true",
                    help="the after binary with a cache (filled by a run of its own) instead of --no-cache")
    ap.add_argument("--json", help="also write every difference here")
    args = ap.parse_args()
    for b in (args.before, args.after):
        if not os.path.isfile(b):
            sys.exit(f"no binary at {b}")
    before_bin, after_bin = os.path.abspath(args.before), os.path.abspath(args.after)
    trees = default_trees(with_homes=bool(args.cargo_home))
    if args.trees:
        trees = pick(trees, [t for t in args.trees.split(",") if t])
    if not trees:
        sys.exit("no tree to compare")

    scratch = tempfile.mkdtemp(prefix="unawaited-differential-")
    empty_home = os.path.join(scratch, "cargo-home")
    os.makedirs(empty_home)
    home = os.path.abspath(args.cargo_home) if args.cargo_home else empty_home

    def env_for(label, tree):
        deps_cache = os.path.join(scratch, f"deps-{label}")
        os.makedirs(deps_cache, exist_ok=True)
        env = dict(os.environ, CARGO_HOME=tree.home or home, UNAWAITED_DEPS_CACHE=deps_cache)
        env.pop("UNAWAITED_TIMINGS", None)
        return env

    own = [t.name for t in trees if t.home]
    print(f"before: {before_bin}\nafter:  {after_bin}\n"
          f"CARGO_HOME: {home if args.cargo_home else 'empty (no dependency source read)'}"
          + (f" ({', '.join(own)}: its own home/)" if own else "") + "; "
          f"arguments: --format json --no-cache --exit-zero {' '.join(args.tool_arg)}".rstrip()
          + (f"; after only: {' '.join(args.after_arg)}" if args.after_arg else "")
          + ("; after: warm (its own cache filled by a first run, not --no-cache)" if args.warm else ""))
    head = (f"{'tree':<26} {'before':>7} {'after':>7} {'missing':>7} {'extra':>6} {'changed':>7} "
            f"{'errors':>6} {'before s':>8} {'after s':>8}" + ("  jobs 1" if args.determinism else ""))
    print(head)
    print("-" * len(head))
    totals = defaultdict(float)
    differences, failures, report = [], [], []
    try:
        for tree in trees:
            totals["trees"] += 1
            old, old_fail, old_s = run(before_bin, tree, args.tool_arg, env_for("before", tree))
            warm = tempfile.mkdtemp(dir=scratch, prefix="cache-") if args.warm else None
            new, new_fail, new_s = run(after_bin, tree, args.tool_arg + args.after_arg, env_for("after", tree), warm)
            if old_fail or new_fail:
                for label, why in (("before", old_fail), ("after", new_fail)):
                    if why:
                        failures.append(f"{tree.name}: {label}: {why}")
                print(f"{tree.name[:26]:<26} RUN FAILED ({'before' if old_fail else ''}{' ' if old_fail and new_fail else ''}"
                      f"{'after' if new_fail else ''})", flush=True)
                continue
            missing, extra, changed, errors = compare(old, new, args.all_fields)
            det = ""
            if args.determinism:
                single, fail, _ = run(after_bin, tree, args.tool_arg + args.after_arg + ["--jobs", "1"],
                                      env_for("after", tree))
                if fail:
                    failures.append(f"{tree.name}: after --jobs 1: {fail}")
                    det = "  FAILED"
                else:
                    d = compare(new, single, True)
                    n = sum(len(x) for x in d)
                    det = f"  {'same' if n == 0 else f'{n} DIFF'}"
                    for kind, items in zip(("missing", "extra", "changed", "error"), d):
                        differences.extend((tree.name + " [--jobs 1 vs default]", kind, i) for i in items)
            n_old, n_new = len(old.get("diagnostics", [])), len(new.get("diagnostics", []))
            print(f"{tree.name[:26]:<26} {n_old:>7} {n_new:>7} {len(missing):>7} {len(extra):>6} {len(changed):>7} "
                  f"{len(errors):>6} {old_s:>8.2f} {new_s:>8.2f}{det}", flush=True)
            for key, value in (("before", n_old), ("after", n_new), ("missing", len(missing)),
                               ("extra", len(extra)), ("changed", len(changed)), ("errors", len(errors)),
                               ("before_s", old_s), ("after_s", new_s)):
                totals[key] += value
            for kind, items in (("missing", missing), ("extra", extra), ("changed", changed)):
                differences.extend((tree.name, kind, i) for i in items)
            differences.extend((tree.name, kind, e) for kind, e in errors)
            report.append({"tree": tree.name, "path": tree.abspath, "before": n_old, "after": n_new,
                           "missing": missing, "extra": extra, "changed": [{"before": o, "after": n} for o, n in changed],
                           "errors": [{"kind": k, "error": json.loads(e)} for k, e in errors],
                           "before_s": old_s, "after_s": new_s})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("-" * len(head))
    t = totals
    print(f"{'total (' + str(int(t['trees'])) + ' trees)':<26} {int(t['before']):>7} {int(t['after']):>7} "
          f"{int(t['missing']):>7} {int(t['extra']):>6} {int(t['changed']):>7} {int(t['errors']):>6} "
          f"{t['before_s']:>8.2f} {t['after_s']:>8.2f}")
    if differences and args.show:
        print(f"\nfirst {min(args.show, len(differences))} of {len(differences)} differences:")
        for name, kind, item in differences[:args.show]:
            print("  " + describe(name, kind, item))
    for f in failures:
        print(f"RUN FAILED: {f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"before": before_bin, "after": after_bin, "trees": report, "failures": failures}, f, indent=1)
    verdict = "run failures" if failures else f"{len(differences)} differences" if differences else "0 differences: identical"
    print(verdict)
    sys.exit(2 if failures else 1 if differences else 0)


if __name__ == "__main__":
    main()
