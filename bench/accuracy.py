#!/usr/bin/env python3
"""Accuracy of `unawaited` on real crates (bench/crates.txt, vendored by bench/fetch.sh).

(a) Noise: runs the tool on the untouched code of each pinned crate and lists every finding.
    On code that compiles cleanly each one is a suspect false positive; all are printed.
(b) Recall: seeds bugs at real `X.await;` statements — every one is ground truth that `X` is a
    future — in two rewrites, `X;` and `let _ = X;`, and counts a site as caught when an
    `unawaited_future` finding starts on its line. Sites are classified by the kind of callee.

Seeding runs in rounds: round k rewrites the k-th site of every file at once (one site per
file), runs the tool once over the crate, then restores the files.

Usage: python3 bench/accuracy.py [--bin PATH] [--crates a,b] [--max-rounds N] [--json OUT]
                                 [--list-misses N] [--noise-only]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")
KINDS = ["own_async_fn", "self_method", "typed_receiver", "external_api", "variable"]


def pinned():
    out = []
    with open(os.path.join(HERE, "crates.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, version = line.split()
                out.append((name, version))
    return out


def crate_dir(name, version):
    vendor = os.path.join(BENCH_DIR, "vendor")
    for candidate in (f"{name}-{version}", name):
        path = os.path.join(vendor, candidate)
        if os.path.isdir(path):
            return path
    return None


def rust_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "target" and not d.startswith(".")]
        for fn in filenames:
            if fn.endswith(".rs"):
                yield os.path.join(dirpath, fn)


def count_lines(root):
    n = 0
    for path in rust_files(root):
        with open(path, "rb") as f:
            n += f.read().count(b"\n")
    return n


def run_tool(binary, cwd, extra=()):
    """Runs the tool; returns (json document or None, exit code, stderr)."""
    proc = subprocess.run(
        [binary, "check", ".", "--format", "json", "--exit-zero", *extra],
        cwd=cwd, capture_output=True, text=True,
    )
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        doc = None
    return doc, proc.returncode, proc.stderr


def crashed(doc, code, stderr):
    if doc is None or code not in (0, 1, 2) or "panicked" in stderr:
        return True
    return any("internal error" in e["message"] for e in doc["errors"])


# ----- seeding sites -------------------------------------------------------------------------

AWAIT_STMT = re.compile(r"^(\s*)(.*\S)\.await;\s*$")


def balanced(text):
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def find_sites(text):
    """Lines that are a whole `X.await;` statement: (line index, indent, X)."""
    sites = []
    in_block_comment = False
    for i, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if in_block_comment:
            if "*/" in stripped:
                in_block_comment = False
            continue
        if stripped.startswith("/*"):
            in_block_comment = "*/" not in stripped
            continue
        m = AWAIT_STMT.match(line)
        if not m:
            continue
        indent, expr = m.group(1), m.group(2)
        if (
            expr.startswith(("//", ".", ")", "}", "let ", "return", "break", "#", "|"))
            or "=>" in expr
            or "$" in expr
            or "//" in expr
            or '"' in expr
            or re.search(r"(^|[^=!<>])=($|[^=])", expr)
            or not balanced(expr)
        ):
            continue
        sites.append((i, indent, expr))
    return sites


def callee_name(expr):
    """The name whose call produces the future: the last top-level `.name(` or `path::name(`."""
    depth = 0
    last = None
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch in "([{<" and not (ch == "<" and depth == 0 and i > 0 and expr[i - 1] == " "):
            if ch == "(" and depth == 0:
                m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*(::<[^>]*>)?\s*$", expr[:i])
                if m:
                    last = (m.group(1), expr[: m.start(1)].rstrip())
            depth += 1 if ch != "<" else 0
        elif ch in ")]}":
            depth -= 1
        i += 1
    return last


def classify(expr, own_async):
    if "(" not in expr:
        return "variable"
    found = callee_name(expr)
    if found is None:
        return "external_api"
    name, before = found
    is_method = before.endswith(".")
    if not is_method:
        return "own_async_fn" if name in own_async else "external_api"
    if before.startswith("self.") and before.count("(") == 0:
        return "self_method" if name in own_async else "external_api"
    return "typed_receiver" if name in own_async else "external_api"


def own_async_names(root):
    names = set()
    pattern = re.compile(r"\basync\s+(?:unsafe\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)")
    for path in rust_files(root):
        with open(path, encoding="utf-8", errors="replace") as f:
            names.update(pattern.findall(f.read()))
    return names


# ----- runs ----------------------------------------------------------------------------------


def noise(binary, name, src):
    doc, code, stderr = run_tool(binary, src)
    lines = count_lines(src)
    result = {"crate": name, "lines": lines, "crashed": crashed(doc, code, stderr), "findings": [], "errors": []}
    if doc is not None:
        result["findings"] = [
            {"rule": d["rule"], "path": d["path"], "line": d["line"], "message": d["message"]} for d in doc["diagnostics"]
        ]
        result["errors"] = doc["errors"]
    return result


def copy_crate(src, work):
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(src, work, symlinks=True, ignore=shutil.ignore_patterns("target"))


def files_with_sites(work, find):
    """Every readable .rs file of `work` with its seeding sites: {path: (text, sites)}."""
    files = {}
    for path in rust_files(work):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError:
            continue
        sites = find(text)
        if sites:
            files[path] = (text, sites)
    return files


def rounds(binary, work, files, max_rounds, select, rewrite):
    """Round k applies `rewrite(lines, site)` (which returns the line to expect a finding on) to
    the k-th site of every file, runs the tool once, then restores the files. Yields, per round,
    {relative path: (expected line, site)}, {relative path: lines with findings}, and whether the
    tool crashed."""
    count = min(max((len(s) for _, s in files.values()), default=0), max_rounds)
    for k in range(count):
        mutated = {}
        for path, (text, sites) in files.items():
            if k >= len(sites):
                continue
            lines = text.split("\n")
            line = rewrite(lines, sites[k])
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            mutated[os.path.relpath(path, work).replace(os.sep, "/")] = (line, sites[k])
        doc, code, stderr = run_tool(binary, work, ["--select", select])
        found = defaultdict(set)
        for d in (doc or {"diagnostics": []})["diagnostics"]:
            found[d["path"]].add(d["line"])
        yield mutated, found, crashed(doc, code, stderr)
        for path, (text, _) in files.items():
            if os.path.relpath(path, work).replace(os.sep, "/") in mutated:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)


def seed(binary, name, src, work_root, max_rounds):
    work = os.path.join(work_root, name)
    copy_crate(src, work)
    own = own_async_names(work)
    files = files_with_sites(work, find_sites)
    base_doc, _, _ = run_tool(binary, work, ["--select", "unawaited_future"])
    baseline = {(d["path"], d["line"]) for d in (base_doc or {"diagnostics": []})["diagnostics"]}
    results = []
    crashes = 0
    for rewrite in ("strip", "let_underscore"):
        def apply(lines, site, rewrite=rewrite):
            line_no, indent, expr = site
            lines[line_no] = f"{indent}{expr};" if rewrite == "strip" else f"{indent}let _ = {expr};"
            return line_no + 1

        for mutated, found, crash in rounds(binary, work, files, max_rounds, "unawaited_future", apply):
            crashes += crash
            for rel, (line, (_, _, expr)) in mutated.items():
                extra = {l for l in found.get(rel, ()) if l != line and (rel, l) not in baseline}
                results.append({
                    "crate": name, "rewrite": rewrite, "path": rel, "line": line, "expr": expr,
                    "kind": classify(expr, own), "caught": line in found.get(rel, ()), "collateral": len(extra),
                })
    return results, crashes


ASYNC_FN_OPEN = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(const\s+)?async\s+(unsafe\s+)?fn\s+\w+.*\{\s*$")

MISUSE = {
    "blocking_in_async": "std::thread::sleep(std::time::Duration::from_millis(1));",
    "block_on_in_async": "futures::executor::block_on(async {});",
}


def async_fn_openings(text):
    return [i for i, line in enumerate(text.split("\n")) if ASYNC_FN_OPEN.match(line) and "$" not in line]


def seed_misuse(binary, name, src, work_root, max_rounds):
    """Inserts a blocking call and a `block_on` as the first statement of real async fns
    (signatures on one line, ending in `{`); a site is caught when the rule fires on it."""
    work = os.path.join(work_root, name + "-misuse")
    copy_crate(src, work)
    files = files_with_sites(work, async_fn_openings)
    results = []
    for rule, stmt in MISUSE.items():
        def insert(lines, site, stmt=stmt):
            indent = re.match(r"\s*", lines[site]).group(0) + "    "
            lines.insert(site + 1, indent + stmt)
            return site + 2

        for mutated, found, _ in rounds(binary, work, files, max_rounds, rule, insert):
            for rel, (line, _) in mutated.items():
                results.append({"crate": name, "rule": rule, "path": rel, "line": line, "caught": line in found.get(rel, ())})
    shutil.rmtree(work, ignore_errors=True)
    return results


def pct(a, b):
    return f"{100.0 * a / b:6.1f}%" if b else "     -"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unawaited"))
    ap.add_argument("--crates", help="comma-separated subset of bench/crates.txt")
    ap.add_argument("--max-rounds", type=int, default=80)
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--list-misses", type=int, default=0, help="print N missed sites per kind")
    ap.add_argument("--noise-only", action="store_true")
    ap.add_argument("--misuse", action="store_true", help="also seed blocking calls and block_on into async fns")
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"no binary at {args.bin}: run `cargo build --release` first")
    chosen = set(args.crates.split(",")) if args.crates else None
    crates = [(n, v) for n, v in pinned() if chosen is None or n in chosen]
    start = time.time()
    noise_results, seeds, misuse, crashes = [], [], [], 0
    work_root = os.path.join(BENCH_DIR, "work")
    os.makedirs(work_root, exist_ok=True)
    for name, version in crates:
        src = crate_dir(name, version)
        if src is None:
            print(f"skipping {name} {version}: not vendored (run bench/fetch.sh)", file=sys.stderr)
            continue
        noise_results.append(noise(args.bin, name, src))
        if not args.noise_only:
            r, c = seed(args.bin, name, src, work_root, args.max_rounds)
            seeds.extend(r)
            crashes += c
        if args.misuse:
            misuse.extend(seed_misuse(args.bin, name, src, work_root, args.max_rounds))

    print("== noise on untouched code (every finding is a suspect false positive)")
    print(f"{'crate':<14} {'lines':>8} {'deny':>5} {'warn':>5} {'per 10k':>8}  by rule")
    total_lines = 0
    by_rule = Counter()
    deny_rules = {"unawaited_future", "block_on_in_async", "runtime_in_async", "spawn_without_runtime"}
    for r in noise_results:
        c = Counter(f["rule"] for f in r["findings"])
        by_rule.update(c)
        total_lines += r["lines"]
        deny = sum(v for k, v in c.items() if k in deny_rules)
        warn = sum(v for k, v in c.items() if k not in deny_rules)
        flag = "  CRASH" if r["crashed"] else ""
        print(f"{r['crate']:<14} {r['lines']:>8} {deny:>5} {warn:>5} {10000 * (deny + warn) / max(r['lines'], 1):>8.2f}  {dict(c)}{flag}")
    print(f"{'all':<14} {total_lines:>8}  per 10k lines by rule: "
          + ", ".join(f"{k} {10000 * v / max(total_lines, 1):.3f}" for k, v in sorted(by_rule.items())))
    for r in noise_results:
        for f in r["findings"]:
            print(f"  {r['crate']}/{f['path']}:{f['line']}: {f['rule']}: {f['message']}")
        for e in r["errors"]:
            print(f"  {r['crate']}/{e['path']}: error: {e['message']}")

    if seeds:
        print()
        print("== recall on seeded bugs (real `X.await;` statements rewritten)")
        print(f"{'kind':<16} {'sites':>6} {'X;':>8} {'let _ = X;':>11}")
        for kind in KINDS + ["all"]:
            rows = [s for s in seeds if kind == "all" or s["kind"] == kind]
            strip = [s for s in rows if s["rewrite"] == "strip"]
            let_ = [s for s in rows if s["rewrite"] == "let_underscore"]
            print(f"{kind:<16} {len(strip):>6} {pct(sum(s['caught'] for s in strip), len(strip)):>8} "
                  f"{pct(sum(s['caught'] for s in let_), len(let_)):>11}")
        print(f"{'crate':<16} {'sites':>6} {'X;':>8} {'let _ = X;':>11}")
        for name in sorted({s["crate"] for s in seeds}):
            strip = [s for s in seeds if s["crate"] == name and s["rewrite"] == "strip"]
            let_ = [s for s in seeds if s["crate"] == name and s["rewrite"] == "let_underscore"]
            print(f"{name:<16} {len(strip):>6} {pct(sum(s['caught'] for s in strip), len(strip)):>8} "
                  f"{pct(sum(s['caught'] for s in let_), len(let_)):>11}")
        collateral = sum(s["collateral"] for s in seeds)
        print(f"findings on other lines of seeded files: {collateral}")
        if args.list_misses:
            for kind in KINDS:
                missed = [s for s in seeds if s["kind"] == kind and not s["caught"] and s["rewrite"] == "strip"]
                if missed:
                    print(f"-- missed {kind} ({len(missed)}):")
                    for s in missed[: args.list_misses]:
                        print(f"   {s['crate']}/{s['path']}:{s['line']}: {s['expr']}")
    if misuse:
        print()
        print("== seeded runtime misuse (first statement of real async fns)")
        for rule in MISUSE:
            rows = [m for m in misuse if m["rule"] == rule]
            print(f"{rule:<20} {len(rows):>6} sites {pct(sum(m['caught'] for m in rows), len(rows))}")
            for m in [m for m in rows if not m["caught"]][: max(args.list_misses, 0)]:
                print(f"   missed {m['crate']}/{m['path']}:{m['line']}")
    print()
    crashed_any = crashes + sum(r["crashed"] for r in noise_results)
    print(f"crashes: {crashed_any}; elapsed {time.time() - start:.1f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"noise": noise_results, "seeds": seeds, "misuse": misuse, "crashes": crashed_any}, f, indent=1)
    sys.exit(1 if crashed_any else 0)


if __name__ == "__main__":
    main()
