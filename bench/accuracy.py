#!/usr/bin/env python3
"""Accuracy of `unawaited` on real crates (bench/crates.txt, vendored by bench/fetch.sh).

(a) Noise: runs the tool on the untouched code of each pinned crate and lists every finding.
    On code that compiles cleanly each one is a suspect false positive; all are printed, with
    the tool's `errors` and any crash (a panic, an exit code other than 0/1, output that is not
    the JSON document). The script exits 1 when anything crashed.
(b) Recall: seeds bugs at real `X.await;` statements — every one is ground truth that `X` is a
    future — in two rewrites, `X;` and `let _ = X;`, and counts a site as caught when an
    `unawaited_future` finding starts on its line. Sites are classified by the kind of callee.

Seeding runs in rounds: round k rewrites the k-th site of every file at once (one site per
file), runs the tool once over the crate, then restores the files. Findings in a rewritten file
on lines other than its site (and not there before) are counted as collateral noise.

`--sites-only` needs no binary: it lists how many sites each crate has per kind, and how many
`.await;` lines were passed over and why.

Usage: python3 bench/accuracy.py [--bin PATH] [--crates a,b] [--max-rounds N] [--json OUT]
                                 [--list-misses N] [--noise-only] [--misuse]
                                 [--sites-only [--show-sites N]]
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
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, HERE)
from rustlex import ASSIGN_OPS, KEYWORDS, Scan, matching_open  # noqa: E402

ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")
KINDS = ["own_async_fn", "self_method", "typed_receiver", "external_api", "variable", "task_handle", "other"]
# The rule that has to fire on a seeded site of each kind: dropping a task's `JoinHandle`
# detaches the task (it runs anyway), which is `detached_task`, not a lost future.
RULE_FOR_KIND = {"task_handle": "detached_task"}
REWRITES = {"strip": "X;", "let_underscore": "let _ = X;"}
DENY_RULES = {"unawaited_future", "block_on_in_async", "runtime_in_async", "spawn_without_runtime", "parse_error"}


SETS = {"tuning": "crates.txt", "check": "check-crates.txt", "check2": "check2-crates.txt", "check3": "check3-crates.txt", "check4": "check4-crates.txt", "check5": "check5-crates.txt", "blind": "blind-crates.txt"}
# The blind set is only counted: its misses and findings are never printed (bench/blind-crates.txt).
BLIND = "blind"
SET = "tuning"
TOOL_ENV = None  # environment of the tool's runs (CARGO_HOME for dependency sources), None: inherited
TOOL_ARGS = []   # extra arguments of every run (e.g. --no-deps)


def pinned():
    out = []
    with open(os.path.join(HERE, SETS[SET])) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, version = line.split()
                out.append((name, version))
    return out


def crate_dir(name, version):
    """The vendored folder of exactly this crate and version (`cargo vendor` names it `name`
    or, with --versioned-dirs or when versions clash, `name-version`)."""
    vendor = os.path.join(BENCH_DIR, {"tuning": "vendor", "check": "check", "check2": "check2", "check3": "check3", "check4": "check4", "check5": "check5", BLIND: BLIND}[SET])
    for candidate in (f"{name}-{version}", name):
        path = os.path.join(vendor, candidate)
        if os.path.isfile(os.path.join(path, "Cargo.toml")) and manifest_version(path) in (version, None):
            return path
    return None


def manifest_version(path):
    with open(os.path.join(path, "Cargo.toml"), encoding="utf-8", errors="replace") as f:
        in_package = False
        for line in f:
            s = line.strip()
            if s.startswith("["):
                in_package = s == "[package]"
            elif in_package:
                m = re.match(r'version\s*=\s*"([^"]+)"', s)
                if m:
                    return m.group(1)
    return None


def rust_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "target" and not d.startswith("."))
        for fn in sorted(filenames):
            if fn.endswith(".rs"):
                yield os.path.join(dirpath, fn)


def count_lines(root):
    n = 0
    for path in rust_files(root):
        with open(path, "rb") as f:
            n += f.read().count(b"\n")
    return n


def run_tool(binary, root, extra=()):
    """Runs `unawaited check ROOT --format json`; returns (document or None, exit code, stderr).
    Paths in the document are made relative to ROOT."""
    proc = subprocess.run(
        [binary, "check", root, "--format", "json", "--exit-zero", *TOOL_ARGS, *extra],
        cwd=root, capture_output=True, text=True, env=TOOL_ENV,
    )
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return None, proc.returncode, proc.stderr
    for item in doc.get("diagnostics", []) + doc.get("errors", []):
        path = item.get("path") or ""
        item["path"] = os.path.relpath(os.path.normpath(os.path.join(root, path)), root).replace(os.sep, "/")
    return doc, proc.returncode, proc.stderr


def crash_reason(doc, code, stderr):
    """Why a run counts as a crash, or None. With --exit-zero a clean run exits 0; 1 is allowed
    too (deny-level findings), anything else is not."""
    if "panicked" in stderr:
        return "panic: " + next((l for l in stderr.splitlines() if "panicked" in l), "").strip()
    if code not in (0, 1):
        return f"exit code {code}: {stderr.strip()[:300]}"
    if doc is None:
        return "output is not a JSON document"
    for e in doc.get("errors", []):
        if "internal error" in e.get("message", ""):
            return f"internal error: {e['path']}: {e['message']}"
    return None


# ----- seeding sites -------------------------------------------------------------------------

# A statement can start after these tokens (or after an attribute's closing `]`).
STATEMENT_BOUNDARY = {";", "{", "}"}
# A line that starts with one of these is not an `X.await;` expression statement.
NOT_EXPRESSION_START = {"let", "return", "break", "continue", "yield", "else", "if", "while", "for",
                        "loop", "match", "static", "const", "fn", "use", "pub", "impl", "mod", "struct",
                        "enum", "type", "trait", "where", "move", ".", "?", "|", "||", "#", "=>", "}",
                        ")", "]", ",", "=", "->", "+", "-", "&&", ".."}


BINARY_OPS = {"==", "!=", "<=", ">=", "&&", "||", "+", "/", "%", "^", "as", "..", "..="}


def find_sites(text, own_async, stats=None):
    """Whole `X.await;` expression statements that sit on one line.

    A line counts when it starts in code (not inside a comment or a string), has no comment,
    is not inside a macro invocation or an attribute, sits directly in a `{ }` block, its
    tokens end with `.await;` and balance among themselves, the token before it ends a
    statement (`;`, `{`, `}`, an attribute), it does not start with a keyword that makes it
    something else (`let`, `return`, ...) and has no assignment at its top level.
    Returns [(line index, indent, X, kind)]; `stats` (a Counter) gets the reasons for lines
    that end in `.await;` but are passed over."""
    scan = Scan(text)
    sites = []
    for i, info in enumerate(scan.info):
        toks = info.tokens
        if len(toks) < 4 or [t.text for t in toks[-3:]] != [".", "await", ";"]:
            continue
        reason = skip_reason(scan, info, toks)
        if reason:
            if stats is not None:
                stats[reason] += 1
            continue
        line = scan.lines[i]
        expr_toks = toks[:-3]
        expr = line[toks[0].col:toks[-3].col].rstrip()
        kind = classify(expr_toks, own_async)
        if kind == "variable" and is_task_handle(scan.lines, i, expr):
            kind = "task_handle"
        sites.append((i, line[:toks[0].col], expr, kind))
    if stats is not None:
        stats["site"] += len(sites)
    return sites


SPAWN_CALL = re.compile(r"\bspawn\w*\s*(::\s*<.*>\s*)?\(")


def is_task_handle(lines, i, expr):
    """Whether the variable `expr` (a bare name) holds a spawned task's handle, judged from the
    text alone: the nearest `let NAME = ..` above line `i` calls a `spawn*` function on its
    line, or is annotated `JoinHandle`; or the nearest `for NAME in COLL` above
    iterates a `COLL` that `spawn*` results are pushed into, or that is annotated
    `Vec<JoinHandle<..>>`, or built from `spawn*` calls on its `let` line."""
    name = expr.strip()
    if not re.fullmatch(r"\w+", name):
        return False
    let_re = re.compile(rf"\blet\s+(mut\s+)?{name}\b\s*(:[^=]*)?=")
    for_re = re.compile(rf"\bfor\s+(mut\s+)?{name}\s+in\s+(\w+)")
    for j in range(i - 1, max(-1, i - 400), -1):
        if let_re.search(lines[j]):
            # `tokio_test::task::spawn` wraps a future in a mock task: not a handle.
            spawned = SPAWN_CALL.search(lines[j]) and "tokio_test" not in lines[j]
            return bool(spawned) or "JoinHandle" in lines[j]
        m = for_re.search(lines[j])
        if m:
            return collection_of_handles(lines, j, m.group(2))
    return False


def collection_of_handles(lines, j, coll):
    push_re = re.compile(rf"\b{coll}\s*\.\s*push(_back)?\s*\(")
    let_re = re.compile(rf"\blet\s+(mut\s+)?{coll}\b")
    for k in range(j - 1, max(-1, j - 400), -1):
        line = lines[k]
        if push_re.search(line) and SPAWN_CALL.search(" ".join(lines[k:k + 2])):
            return True
        if let_re.search(line):
            return "JoinHandle" in line or bool(SPAWN_CALL.search(" ".join(lines[k:k + 2])))
    return False


def skip_reason(scan, info, toks):
    if not info.starts_in_code:
        return "inside a comment or string"
    if info.has_comment:
        return "comment on the line"
    if any(t.line != toks[0].line for t in toks):
        return "multi-line literal"
    if any(f.kind == "macro" for f in info.stack):
        return "inside a macro invocation"
    if any(f.kind == "attr" for f in info.stack):
        return "inside an attribute"
    if not info.stack or info.stack[-1].char != "{":
        return "not in a block"
    depth = 0
    for t in toks:
        if t.text in ("(", "[", "{"):
            depth += 1
        elif t.text in (")", "]", "}"):
            depth -= 1
            if depth < 0:
                return "continues an earlier statement"
    if depth != 0:
        return "statement spans lines"
    prev = info.prev
    if prev is not None and prev.text not in STATEMENT_BOUNDARY and not info.prev_closed_attr:
        return "continues an earlier statement"
    first = toks[0].text
    if first in NOT_EXPRESSION_START:
        return f"starts with `{first}`"
    depth = 0
    for t in toks[:-3]:
        if t.text in ("(", "[", "{"):
            depth += 1
        elif t.text in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and (t.text in ASSIGN_OPS or t.text == "=>"):
            return "assignment"
        elif depth == 0 and (t.text in BINARY_OPS or (t is not toks[0] and t.text in ("-", "*", "&", "|"))):
            return "binary expression"
    if first in ("async", "unsafe") or toks[-4].text == "}":
        return "block expression"
    return None


def is_field_chain(toks):
    """`a`, `a.b.0`, `a::b`, `self.x`, optionally behind `&`, `&mut` or `*`."""
    while toks and toks[0].text in ("&", "*", "&&", "mut"):
        toks = toks[1:]
    if not toks or toks[0].kind != "ident":
        return False
    for k, t in enumerate(toks[1:]):
        if k % 2 == 0:
            if t.text not in (".", "::"):
                return False
        elif not (t.kind == "ident" or (t.kind == "literal" and t.text.replace(".", "").isdigit())):
            return False
    return len(toks) % 2 == 1


def is_self_chain(toks):
    """`self`, `self.a`, `self.a.b` (no calls)."""
    return bool(toks) and toks[0].text == "self" and is_field_chain(toks) and all(t.text != "::" for t in toks)


def classify(toks, own_async):
    """The kind of callee whose result `X` is (X given as tokens)."""
    while toks and toks[-1].text == "?":
        toks = toks[:-1]
    if not toks:
        return "other"
    if is_field_chain(toks):
        return "variable"
    if toks[-1].text != ")":
        return "other"
    j = matching_open(toks, len(toks) - 1)
    if j is None:
        return "other"
    if j == 0:  # a parenthesised expression: `(&mut fut).await`
        return classify(toks[1:-1], own_async)
    k = j - 1
    if toks[k].text == ">":  # turbofish: `f::<T>(..)`
        depth = 0
        while k >= 0:
            if toks[k].text == ">":
                depth += 1
            elif toks[k].text == "<":
                depth -= 1
                if depth == 0:
                    break
            k -= 1
        k -= 1
        if k < 1 or toks[k].text != "::":
            return "external_api"
        k -= 1
    callee = toks[k]
    if callee.kind != "ident" or callee.text in KEYWORDS - {"self", "Self"}:
        return "external_api"  # a macro, a called closure or call result
    before = toks[k - 1].text if k > 0 else None
    if before == ".":
        receiver = toks[:k - 1]
        if callee.text not in own_async:
            return "external_api"
        return "self_method" if is_self_chain(receiver) else "typed_receiver"
    return "own_async_fn" if callee.text in own_async else "external_api"


def own_async_names(files):
    """Names of every `async fn` the crate defines (outside comments and strings)."""
    names = set()
    for text in files.values():
        toks = [t for t in Scan(text).tokens]
        for k, t in enumerate(toks):
            if t.text != "async":
                continue
            j = k + 1
            while j < len(toks) and (toks[j].text in ("unsafe", "extern") or toks[j].kind == "literal"):
                j += 1
            if j + 1 < len(toks) and toks[j].text == "fn" and toks[j + 1].kind == "ident":
                names.add(toks[j + 1].text)
    return names


def read_sources(root):
    out = {}
    for path in rust_files(root):
        try:
            with open(path, encoding="utf-8") as f:
                out[path] = f.read()
        except UnicodeDecodeError:
            continue
    return out


# ----- runs ----------------------------------------------------------------------------------


def noise(binary, name, src):
    doc, code, stderr = run_tool(binary, src)
    lines = count_lines(src)
    reason = crash_reason(doc, code, stderr)
    result = {"crate": name, "lines": lines, "crashed": reason is not None, "crash": reason,
              "findings": [], "errors": []}
    if doc is not None:
        result["findings"] = [
            {"rule": d["rule"], "level": d.get("level"), "path": d["path"], "line": d["line"], "message": d["message"]}
            for d in doc["diagnostics"]
        ]
        result["errors"] = doc.get("errors", [])
    return result


def copy_crate(src, work):
    if os.path.exists(work):
        shutil.rmtree(work)
    shutil.copytree(src, work, symlinks=True, ignore=shutil.ignore_patterns("target"))


def rounds(binary, work, files, max_rounds, select, rewrite, crashes):
    """Round k applies `rewrite(lines, site)` (which returns the line to expect a finding on) to
    the k-th site of every file, runs the tool once, then restores the files. Yields, per round,
    {relative path: (expected line, site)} and {relative path: lines with findings}; crash
    reasons are appended to `crashes`."""
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
        try:
            rules = select.split(",")
            extra = [flag for r in rules for flag in ("-W", r)]
            doc, code, stderr = run_tool(binary, work, ["--select", select, *extra])
            reason = crash_reason(doc, code, stderr)
            if reason:
                crashes.append(f"{os.path.basename(work)} round {k + 1} ({select}): {reason}")
            found = defaultdict(lambda: defaultdict(set))
            for d in (doc or {"diagnostics": []})["diagnostics"]:
                if d["rule"] in rules:
                    found[d["path"]][d["line"]].add(d["rule"])
            yield mutated, found
        finally:
            for path, (text, _) in files.items():
                if os.path.relpath(path, work).replace(os.sep, "/") in mutated:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(text)


def crate_sites(work):
    sources = read_sources(work)
    own = own_async_names(sources)
    stats = Counter()
    files = {}
    for path, text in sources.items():
        sites = find_sites(text, own, stats)
        if sites:
            files[path] = (text, sites)
    return files, stats


def seed(binary, name, src, work_root, max_rounds, crashes):
    work = os.path.join(work_root, name)
    copy_crate(src, work)
    files, _ = crate_sites(work)
    base_doc, _, _ = run_tool(binary, work, ["--select", "unawaited_future"])
    baseline = {(d["path"], d["line"]) for d in (base_doc or {"diagnostics": []})["diagnostics"]}
    results = []
    for rewrite in REWRITES:
        def apply(lines, site, rewrite=rewrite):
            line_no, indent, expr, _ = site
            lines[line_no] = f"{indent}{expr};" if rewrite == "strip" else f"{indent}let _ = {expr};"
            return line_no + 1

        select = "unawaited_future,detached_task"
        for mutated, found in rounds(binary, work, files, max_rounds, select, apply, crashes):
            for rel, (line, (_, indent, expr, kind)) in mutated.items():
                lines = found.get(rel, {})
                extra = {l for l, r in lines.items()
                         if l != line and "unawaited_future" in r and (rel, l) not in baseline}
                rule = RULE_FOR_KIND.get(kind, "unawaited_future")
                results.append({
                    "crate": name, "rewrite": rewrite, "path": rel, "line": line, "expr": expr,
                    "kind": kind, "caught": rule in lines.get(line, ()), "collateral": len(extra),
                })
    shutil.rmtree(work, ignore_errors=True)
    return results


ASYNC_FN_OPEN = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(const\s+)?async\s+(unsafe\s+)?fn\s+\w+.*\{\s*$")

MISUSE = {
    "blocking_in_async": "std::thread::sleep(std::time::Duration::from_millis(1));",
    "block_on_in_async": "futures::executor::block_on(async {});",
}


def async_fn_openings(text):
    """Lines that open an `async fn` body (signature on one line, ending in `{`), outside
    comments, strings, macro bodies and attributes."""
    scan = Scan(text)
    out = []
    for i, line in enumerate(scan.lines):
        info = scan.info[i]
        if not ASYNC_FN_OPEN.match(line) or "$" in line or not info.starts_in_code or info.has_comment:
            continue
        if any(f.kind != "code" for f in info.stack):
            continue
        out.append(i)
    return out


def seed_misuse(binary, name, src, work_root, max_rounds, crashes):
    """Inserts a blocking call and a `block_on` as the first statement of real async fns;
    a site is caught when the rule fires on it."""
    work = os.path.join(work_root, name + "-misuse")
    copy_crate(src, work)
    files = {}
    for path, text in read_sources(work).items():
        sites = async_fn_openings(text)
        if sites:
            files[path] = (text, sites)
    results = []
    for rule, stmt in MISUSE.items():
        def insert(lines, site, stmt=stmt):
            indent = re.match(r"\s*", lines[site]).group(0) + "    "
            lines.insert(site + 1, indent + stmt)
            return site + 2

        for mutated, found in rounds(binary, work, files, max_rounds, rule, insert, crashes):
            for rel, (line, _) in mutated.items():
                results.append({"crate": name, "rule": rule, "path": rel, "line": line,
                                "caught": rule in found.get(rel, {}).get(line, ())})
    shutil.rmtree(work, ignore_errors=True)
    return results


# ----- reports -------------------------------------------------------------------------------


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "    -"


def frac(rows):
    caught = sum(r["caught"] for r in rows)
    return f"{caught:>5}/{len(rows):<5} {pct(caught, len(rows))}"


def report_sites(crates, show):
    """--sites-only: seeding sites per crate and kind, without running the tool."""
    totals = Counter()
    skipped = Counter()
    examples = defaultdict(list)
    print(f"{'crate':<14} {'sites':>6} " + " ".join(f"{k:>14}" for k in KINDS))
    for name, src in crates:
        files, stats = crate_sites(src)
        c = Counter()
        for path, (_, sites) in files.items():
            for line_no, _, expr, kind in sites:
                c[kind] += 1
                if len(examples[kind]) < show:
                    examples[kind].append(f"{name}/{os.path.relpath(path, src)}:{line_no + 1}: {expr}.await;")
        totals.update(c)
        skipped.update({k: v for k, v in stats.items() if k != "site"})
        rounds_needed = max((len(s) for _, s in files.values()), default=0)
        print(f"{name:<14} {sum(c.values()):>6} " + " ".join(f"{c[k]:>14}" for k in KINDS)
              + f"   ({len(files)} files, {rounds_needed} rounds)")
    print(f"{'all':<14} {sum(totals.values()):>6} " + " ".join(f"{totals[k]:>14}" for k in KINDS))
    print("lines ending in `.await;` that are not seeding sites:")
    for reason, n in skipped.most_common():
        print(f"   {n:>6}  {reason}")
    for kind in KINDS:
        if examples[kind]:
            print(f"-- {kind}:")
            for e in examples[kind]:
                print("   " + e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unawaited"))
    ap.add_argument("--set", choices=sorted(SETS), default="tuning",
                    help="tuning: bench/crates.txt (bench/fetch.sh); check: bench/check-crates.txt, "
                         "never tuned on (bench/fetch_check.sh)")
    ap.add_argument("--crates", help="comma-separated subset of the set")
    ap.add_argument("--work", help="scratch folder for the seeded copies (default $DIR/work-SET-PID); "
                                   "give each concurrent run its own")
    ap.add_argument("--cargo-home", help="CARGO_HOME for the tool's runs: where it finds dependency sources "
                                         "(the check set's are in $DIR/home)")
    ap.add_argument("--tool-arg", action="append", default=[], help="extra argument for every run (repeatable), "
                                                                      "e.g. --tool-arg=--no-deps")
    ap.add_argument("--max-rounds", type=int, default=80, help="at most this many sites per file (default 80)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--list-misses", type=int, default=0, help="print N missed sites per kind and rewrite")
    ap.add_argument("--noise-only", action="store_true", help="skip the seeded recall")
    ap.add_argument("--misuse", action="store_true", help="also seed blocking calls and block_on into async fns")
    ap.add_argument("--sites-only", action="store_true", help="count seeding sites per kind; needs no binary")
    ap.add_argument("--show-sites", type=int, default=0, help="with --sites-only: print N sites per kind")
    args = ap.parse_args()
    global SET, TOOL_ENV, TOOL_ARGS
    SET = args.set
    if SET == BLIND and (args.list_misses or args.show_sites or args.json):
        sys.exit("the blind set is only counted: --list-misses, --show-sites and --json are refused")
    TOOL_ARGS = list(args.tool_arg)
    if args.cargo_home:
        TOOL_ENV = dict(os.environ, CARGO_HOME=os.path.abspath(args.cargo_home))
    args.bin = os.path.abspath(args.bin)  # the tool runs with each crate as its working directory
    chosen = set(args.crates.split(",")) if args.crates else None
    crates = []
    for name, version in pinned():
        if chosen is not None and name not in chosen:
            continue
        src = crate_dir(name, version)
        if src is None:
            fetch = {"tuning": "bench/fetch.sh", "check": "bench/fetch_check.sh",
                     "check2": "SET_DIR=check2 bash bench/fetch_check.sh bench/check2-crates.txt",
                     "check3": "SET_DIR=check3 bash bench/fetch_check.sh bench/check3-crates.txt",
                     "check4": "SET_DIR=check4 bash bench/fetch_check.sh bench/check4-crates.txt",
                     "check5": "SET_DIR=check5 bash bench/fetch_check.sh bench/check5-crates.txt",
                     BLIND: "SET_DIR=blind bash bench/fetch_check.sh bench/blind-crates.txt"}[SET]
            print(f"skipping {name} {version}: not vendored (run {fetch})", file=sys.stderr)
            continue
        crates.append((name, src))
    if chosen and chosen - {n for n, _ in pinned()}:
        sys.exit(f"not in bench/{SETS[SET]}: {', '.join(sorted(chosen - {n for n, _ in pinned()}))}")
    if args.sites_only:
        report_sites(crates, args.show_sites)
        return
    if not os.path.exists(args.bin):
        sys.exit(f"no binary at {args.bin}: run `cargo build --release` first (or use --sites-only)")
    start = time.time()
    noise_results, seeds, misuse, crashes = [], [], [], []
    # The default is this run's own (several runs at once never share seeded copies).
    work_root = os.path.abspath(args.work) if args.work else os.path.join(BENCH_DIR, f"work-{SET}-{os.getpid()}")
    os.makedirs(work_root, exist_ok=True)
    for name, src in crates:
        print(f"... {name}", file=sys.stderr, flush=True)
        noise_results.append(noise(args.bin, name, src))
        if not args.noise_only:
            seeds.extend(seed(args.bin, name, src, work_root, args.max_rounds, crashes))
        if args.misuse:
            misuse.extend(seed_misuse(args.bin, name, src, work_root, args.max_rounds, crashes))
    if not args.work:
        shutil.rmtree(work_root, ignore_errors=True)

    print("== (a) untouched code: every finding is a suspect false positive")
    print(f"{'crate':<14} {'lines':>8} {'deny':>5} {'warn':>5} {'per 10k':>8} {'errors':>6}  by rule")
    total_lines = 0
    by_rule = Counter()
    for r in noise_results:
        c = Counter(f["rule"] for f in r["findings"])
        by_rule.update(c)
        total_lines += r["lines"]
        deny = sum(1 for f in r["findings"] if f.get("level") == "deny")
        warn = len(r["findings"]) - deny
        flag = "  CRASH" if r["crashed"] else ""
        print(f"{r['crate']:<14} {r['lines']:>8} {deny:>5} {warn:>5} {10000 * len(r['findings']) / max(r['lines'], 1):>8.2f}"
              f" {len(r['errors']):>6}  {dict(sorted(c.items()))}{flag}")
    total_findings = sum(by_rule.values())
    print(f"{'all':<14} {total_lines:>8} {total_findings:>11} {10000 * total_findings / max(total_lines, 1):>8.2f}"
          f" {sum(len(r['errors']) for r in noise_results):>6}")
    total_deny = sum(1 for r in noise_results for f in r["findings"] if f.get("level") == "deny")
    print(f"deny-level findings: {total_deny}, {10000 * total_deny / max(total_lines, 1):.3f} per 10k lines (goal 0.05)")
    print("per 10k lines by rule: " + ", ".join(f"{k} {10000 * v / max(total_lines, 1):.2f}" for k, v in sorted(by_rule.items())))
    for r in noise_results:
        if SET == BLIND:
            break  # counted, never read
        for f in r["findings"]:
            print(f"  {r['crate']}/{f['path']}:{f['line']}: {f['rule']} [{f.get('level')}]: {f['message']}")
        for e in r["errors"]:
            print(f"  {r['crate']}/{e['path']}: error: {e['message']}")
        if r["crash"]:
            print(f"  {r['crate']}: CRASH: {r['crash']}")

    if seeds:
        print()
        print("== (b) recall on seeded bugs: real `X.await;` statements rewritten")
        print(f"{'kind':<15} {'X;':>18} {'let _ = X;':>18}")
        for kind in KINDS + ["all", "all_futures"]:
            rows = [s for s in seeds if kind == "all" or s["kind"] == kind
                    or (kind == "all_futures" and s["kind"] != "task_handle")]
            if not rows:
                continue
            print(f"{kind:<15} " + " ".join(f"{frac([s for s in rows if s['rewrite'] == rw]):>18}" for rw in REWRITES))
        print(f"{'crate':<15} {'X;':>18} {'let _ = X;':>18}")
        for name in [n for n, _ in crates]:
            rows = [s for s in seeds if s["crate"] == name]
            if rows:
                print(f"{name:<15} " + " ".join(f"{frac([s for s in rows if s['rewrite'] == rw]):>18}" for rw in REWRITES))
        for rw, shape in REWRITES.items():
            rows = [s for s in seeds if s["rewrite"] == rw]
            print(f"`{shape}`: seeded {len(rows)}, caught {sum(s['caught'] for s in rows)}, "
                  f"collateral findings on other lines of seeded files {sum(s['collateral'] for s in rows)}")
        if args.list_misses:
            for rw, shape in REWRITES.items():
                for kind in KINDS:
                    missed = sorted((s for s in seeds if s["kind"] == kind and not s["caught"] and s["rewrite"] == rw),
                                    key=lambda s: (s["crate"], s["path"], s["line"]))
                    if missed:
                        print(f"-- missed `{shape}` {kind} ({len(missed)}):")
                        for s in missed[: args.list_misses]:
                            print(f"   {s['crate']}/{s['path']}:{s['line']}: {s['expr']}.await;")
    if misuse:
        print()
        print("== seeded runtime misuse (first statement of real async fns)")
        for rule in MISUSE:
            rows = [m for m in misuse if m["rule"] == rule]
            print(f"{rule:<20} {frac(rows)}")
            for m in [m for m in rows if not m["caught"]][: max(args.list_misses, 0)]:
                print(f"   missed {m['crate']}/{m['path']}:{m['line']}")
    print()
    crashed = [f"{r['crate']}: {r['crash']}" for r in noise_results if r["crash"]] + crashes
    for c in crashed:
        print(f"CRASH {c}")
    print(f"crashes (panics, exit codes other than 0/1): {len(crashed)}; elapsed {time.time() - start:.1f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"noise": noise_results, "seeds": seeds, "misuse": misuse, "crashes": crashed,
                       "elapsed": time.time() - start}, f, indent=1)
    sys.exit(1 if crashed else 0)


if __name__ == "__main__":
    main()
