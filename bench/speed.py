#!/usr/bin/env python3
"""Speed and memory of `unawaited check` against the floor (examples/parse_floor.rs: the same
walk, read, `syn::parse_file` and a full `syn::visit` of the same files, same syn, same
allocator, spans invalidated per file), at 1 and 2 threads: issue 16's targets.

Targets: each pinned crate (bench/crates.txt, vendored by bench/fetch.sh) and all of them in one
run; each crate of the check set (bench/check-crates.txt, bench/fetch_check.sh) and all of them
in one run; a generated ~20 MB async workspace (deterministic, written to the scratch folder).
For each it runs `unawaited check DIR --format json --jobs N --no-cache` and
`parse_floor --jobs N DIR` (N = 1, 2), and the tool warm at 2 threads, --reps times, interleaved
(each repetition runs the five back to back), and prints the median wall time, the peak
RSS (GNU time's %M, else wait4) and the ratios against issue 16's targets:

  cold (--no-cache)       tool/floor time <= 1.3 at 1 and at 2 threads
  warm (cache filled)     tool/floor time <= 1.2 at 2 threads
  1 -> 2 threads          tool speedup >= the floor's own speedup
  peak memory             tool/floor <= 2.0; also MB of peak RSS per MB of source
  one file, 20 MB tree    warm <= 0.1 s

The tool runs with CARGO_HOME set to an empty temporary folder, so no dependency source is read:
the ratios are about the workspace's own files. The cache lives in $UNAWAITED_BENCH_DIR/cache
(UNAWAITED_CACHE_DIR). Then, per target, one more run with `UNAWAITED_TIMINGS=1 --jobs 1`
(cold) gives the per-phase table: each phase's seconds and the resident MB after it.

Usage: python3 bench/speed.py [--reps 3] [--generated-mb 20] [--skip-crates] [--skip-check]
                              [--skip-each] [--bin PATH] [--floor PATH] [--json OUT]
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH_DIR = os.environ.get("UNAWAITED_BENCH_DIR", "/tmp/unawaited-bench")
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, HERE)
import accuracy  # noqa: E402

COLD_RATIO, WARM_RATIO, MEMORY_RATIO, ONE_FILE_WARM = 1.3, 1.2, 2.0, 0.1
CACHE_DIR = os.path.join(BENCH_DIR, "cache")
GENERATOR_VERSION = "2"


TIME = "/usr/bin/time"


def measure(cmd, env=None, stdout_to=None):
    """Wall seconds, peak RSS (MB) and exit code of one run of `cmd`, and its stderr; its
    stdout goes to the file `stdout_to`, else nowhere.

    The peak RSS comes from GNU time's %M when /usr/bin/time exists: a child forked from this
    Python process carries Python's own resident pages until it execs, and Linux keeps that
    high-water mark across exec, so wait4's ru_maxrss on a direct child never reads below
    ~14 MB. Without /usr/bin/time it falls back to wait4 and says so once."""
    fd, rss_file = tempfile.mkstemp(prefix="unawaited-rss-")
    os.close(fd)
    wrapped = [TIME, "-f", "%M", "-o", rss_file, *cmd] if os.path.exists(TIME) else cmd
    out = open(stdout_to, "wb") if stdout_to else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=subprocess.PIPE, env=env)
        err = proc.stderr.read()  # before reaping, so a chatty child cannot block on the pipe
        proc.stderr.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        rss_kb = usage.ru_maxrss
        if wrapped is not cmd:
            with open(rss_file) as f:
                numbers = [l.strip() for l in f if l.strip().isdigit()]
            rss_kb = int(numbers[-1]) if numbers else rss_kb
        elif not WARNED:
            WARNED.append(1)
            print(f"(no {TIME}: peak RSS from wait4, which includes this Python's pages before exec)")
    finally:
        os.unlink(rss_file)
        if stdout_to:
            out.close()
    return wall, rss_kb / 1024.0, proc.returncode, err.decode(errors="replace")


WARNED = []


def checked(cmd, env=None):
    """(wall seconds, peak RSS MB) of one run that must not crash."""
    wall, rss, code, err = measure(cmd, env)
    if code not in (0, 1) or "panicked" in err:
        sys.exit(f"{' '.join(cmd)} exited with {code}: {err.strip()[:500]}")
    return wall, rss


def median_run(cmd, reps, env=None):
    runs = [checked(cmd, env) for _ in range(reps)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def tool_command(binary, dirs, jobs, state, env=None):
    """`unawaited check` with `--no-cache` unless the tool rejected it once."""
    cmd = [binary, "check", *dirs, "--format", "json", "--jobs", str(jobs)]
    if state.get("no_cache") is None:
        _, _, code, err = measure(cmd + ["--no-cache"], env)
        state["no_cache"] = not (code == 2 and "no-cache" in err)
        if not state["no_cache"]:
            print("(the tool has no --no-cache; running without it)")
    return cmd + (["--no-cache"] if state["no_cache"] else [])


# ----- the generated workspace ---------------------------------------------------------------


def generated_module(rng, g, m, modules_per_group):
    """One plausible async module: a service struct with async methods that await channels,
    locks, sleeps and each other; free async helpers; spawned tasks; select!/join!; a trait;
    sync helpers; a test module."""
    nxt = f"crate::g{g}::m{(m + 1) % modules_per_group}"
    out = [
        "//! Generated for the speed benchmark.\n",
        "use std::collections::HashMap;\nuse std::sync::Arc;\nuse std::time::Duration;\n",
        "use tokio::sync::{mpsc, Mutex, RwLock};\nuse tokio::task::JoinHandle;\n\n",
        f"#[derive(Debug, Clone, PartialEq)]\npub enum Event{m} {{\n    Start(u64),\n    Data {{ id: u64, payload: Vec<u8> }},\n    Stop,\n}}\n\n",
        f"pub struct Service{m} {{\n    tx: mpsc::Sender<Event{m}>,\n    state: Arc<Mutex<HashMap<u64, String>>>,\n"
        f"    cache: Arc<RwLock<Vec<u64>>>,\n    count: u64,\n}}\n\n",
        f"#[async_trait::async_trait]\npub trait Handler{m} {{\n    async fn handle(&self, event: Event{m}) -> Result<u64, String>;\n"
        f"    fn name(&self) -> &'static str {{\n        \"handler{m}\"\n    }}\n}}\n\n",
        f"impl Service{m} {{\n",
        f"    pub fn new(tx: mpsc::Sender<Event{m}>) -> Self {{\n        Self {{ tx, state: Arc::default(), cache: Arc::default(), count: 0 }}\n    }}\n\n",
    ]
    for i in range(rng.randint(18, 30)):
        shape = rng.randrange(5)
        body = [f"    pub async fn step_{i}(&mut self, value: u64) -> Result<u64, String> {{\n",
                f"        let doubled = value.wrapping_mul({rng.randint(2, 97)});\n"]
        if shape == 0:
            body.append(f"        self.tx.send(Event{m}::Start(doubled)).await.map_err(|e| e.to_string())?;\n")
            body.append(f"        tokio::time::sleep(Duration::from_micros({rng.randint(1, 500)})).await;\n")
        elif shape == 1:
            body.append("        let mut state = self.state.lock().await;\n")
            body.append(f"        state.insert(doubled, format!(\"step {i}: {{}}\", doubled));\n")
            body.append("        drop(state);\n")
        elif shape == 2:
            body.append("        let cache = self.cache.read().await;\n")
            body.append("        let total: u64 = cache.iter().copied().filter(|x| x % 2 == 0).sum();\n")
            body.append("        drop(cache);\n        self.count += total;\n")
        elif shape == 3:
            body.append("        match doubled % 3 {\n")
            body.append(f"            0 => self.step_{max(i - 1, 0)}_inner(doubled).await?,\n" if i else "            0 => doubled,\n")
            body.append(f"            1 => {nxt}::helper_0(doubled).await,\n")
            body.append("            _ => {\n                tokio::task::yield_now().await;\n                doubled\n            }\n")
            body.append("        };\n")
        else:
            body.append("        let handle: JoinHandle<u64> = tokio::spawn(async move { doubled + 1 });\n")
            body.append("        let joined = handle.await.map_err(|e| e.to_string())?;\n")
            body.append("        self.count = self.count.wrapping_add(joined);\n")
        body.append(f"        Ok({nxt}::helper_{rng.randrange(6)}(doubled).await)\n    }}\n\n")
        body.append(f"    async fn step_{i}_inner(&self, value: u64) -> Result<u64, String> {{\n"
                    f"        let (a, b) = tokio::join!(helper_{rng.randrange(6)}(value), helper_{rng.randrange(6)}(value + 1));\n"
                    f"        Ok(a ^ b)\n    }}\n\n")
        out.extend(body)
    out.append("}\n\n")
    for i in range(6):
        out.append(
            f"pub async fn helper_{i}(value: u64) -> u64 {{\n"
            f"    let items: Vec<u64> = (0..{rng.randint(1, 9)}).map(|x| x * value).collect();\n"
            f"    tokio::select! {{\n"
            f"        _ = tokio::time::sleep(Duration::from_millis({rng.randint(1, 50)})) => items.iter().sum(),\n"
            f"        v = async {{ items.len() as u64 }} => v,\n"
            f"    }}\n}}\n\n"
        )
    for i in range(rng.randint(4, 10)):
        out.append(
            f"pub fn checksum_{i}(data: &[u8]) -> u32 {{\n"
            f"    let mut acc: u32 = {rng.randint(1, 1 << 16)};\n"
            f"    for (k, b) in data.iter().enumerate() {{\n"
            f"        acc = acc.rotate_left({rng.randint(1, 31)}) ^ u32::from(*b).wrapping_mul(k as u32 + 1);\n"
            f"    }}\n    acc\n}}\n\n"
        )
    out.append(
        f"pub struct Echo{m};\n\n#[async_trait::async_trait]\nimpl Handler{m} for Echo{m} {{\n"
        f"    async fn handle(&self, event: Event{m}) -> Result<u64, String> {{\n"
        f"        match event {{\n            Event{m}::Start(n) => Ok(helper_1(n).await),\n"
        f"            Event{m}::Data {{ id, payload }} => Ok(id + payload.len() as u64),\n"
        f"            Event{m}::Stop => Err(\"stopped\".into()),\n        }}\n    }}\n}}\n\n"
    )
    out.append(
        f"#[cfg(test)]\nmod tests {{\n    use super::*;\n\n    #[tokio::test]\n    async fn runs() {{\n"
        f"        let (tx, mut rx) = mpsc::channel(8);\n        let mut service = Service{m}::new(tx);\n"
        f"        let task = tokio::spawn(async move {{ while rx.recv().await.is_some() {{}} }});\n"
        f"        service.step_0(3).await.unwrap();\n        drop(service);\n        task.await.unwrap();\n"
        f"        assert_eq!(checksum_0(b\"abc\"), checksum_0(b\"abc\"));\n    }}\n}}\n"
    )
    return "".join(out)


def generate(root, megabytes):
    """A deterministic async workspace of roughly `megabytes` MB under `root`."""
    marker = os.path.join(root, ".generated")
    tag = f"{GENERATOR_VERSION}:{megabytes}"
    if os.path.exists(marker) and open(marker).read() == tag:
        return
    if os.path.exists(root):
        shutil.rmtree(root)
    src = os.path.join(root, "src")
    os.makedirs(src)
    with open(os.path.join(root, "Cargo.toml"), "w") as f:
        f.write('[package]\nname = "generated"\nversion = "0.1.0"\nedition = "2021"\n\n'
                '[dependencies]\ntokio = { version = "1", features = ["full"] }\nasync-trait = "0.1"\n')
    rng = random.Random(20240601)
    modules_per_group = 40
    written = 0
    groups = 0
    with open(os.path.join(src, "lib.rs"), "w") as lib:
        while written < megabytes * 1_000_000:
            lib.write(f"pub mod g{groups};\n")
            os.makedirs(os.path.join(src, f"g{groups}"))
            with open(os.path.join(src, f"g{groups}", "mod.rs"), "w") as mod:
                for m in range(modules_per_group):
                    mod.write(f"pub mod m{m};\n")
                    text = generated_module(rng, groups, m, modules_per_group)
                    written += len(text)
                    with open(os.path.join(src, f"g{groups}", f"m{m}.rs"), "w") as f:
                        f.write(text)
            groups += 1
    with open(marker, "w") as f:
        f.write(tag)
    print(f"generated {written / 1e6:.1f} MB in {groups * modules_per_group} modules under {root}")


# ----- main ----------------------------------------------------------------------------------

PHASE_LINE = re.compile(r"^unawaited: (.+?): ([0-9.]+) s(?:, ([0-9]+) MB resident)?\s*$")


def mark(ok):
    return "ok" if ok else "MISS"


def set_dirs(set_name):
    """(name, folder) of every crate of a set that is on disk."""
    saved = accuracy.SET
    accuracy.SET = set_name
    try:
        dirs = [(n, accuracy.crate_dir(n, v)) for n, v in accuracy.pinned()]
    finally:
        accuracy.SET = saved
    return [(n, d) for n, d in dirs if d]


def floor_run(floor, dirs, jobs, scratch):
    """The floor's own summary line (files, MB of source, nodes) from one run."""
    out = os.path.join(scratch, "floor.out")
    _, _, code, err = measure([floor, "--jobs", str(jobs), *dirs], stdout_to=out)
    with open(out) as f:
        line = f.read().strip()
    if code != 0:
        sys.exit(f"parse_floor exited with {code}: {err.strip()[:500]}")
    m = re.match(r"(\d+) files, ([0-9.]+) MB, (\d+) not parsed", line)
    return line, (int(m.group(1)), float(m.group(2)), int(m.group(3))) if m else (None, None, None)


def phases(binary, dirs, env, scratch):
    """One cold run at --jobs 1 with UNAWAITED_TIMINGS=1: [(phase, seconds, resident MB)], the
    wall time, the peak RSS and the number of files the tool checked."""
    out = os.path.join(scratch, "tool.json")
    cmd = [binary, "check", *dirs, "--format", "json", "--jobs", "1", "--no-cache"]
    wall, rss, code, err = measure(cmd, dict(env, UNAWAITED_TIMINGS="1"), stdout_to=out)
    if code not in (0, 1) or "panicked" in err:
        sys.exit(f"{' '.join(cmd)} exited with {code}: {err.strip()[:500]}")
    rows = []
    for line in err.splitlines():
        m = PHASE_LINE.match(line.strip())
        if m:
            rows.append((m.group(1), float(m.group(2)), int(m.group(3)) if m.group(3) else None))
    try:
        with open(out) as f:
            files = json.load(f).get("summary", {}).get("files")
    except (OSError, ValueError):
        files = None
    return rows, wall, rss, files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unawaited"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "target", "release", "examples", "parse_floor"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--generated-mb", type=int, default=20)
    ap.add_argument("--skip-crates", action="store_true", help="neither the pinned crates nor the check set")
    ap.add_argument("--skip-check", action="store_true", help="not the check set")
    ap.add_argument("--skip-each", action="store_true", help="not each crate on its own, only each set at once")
    ap.add_argument("--skip-phases", action="store_true", help="no per-phase table")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    for path in (args.bin, args.floor):
        if not os.path.exists(path):
            sys.exit(f"missing {path}: cargo build --release && cargo build --release --example parse_floor")
    args.bin, args.floor = os.path.abspath(args.bin), os.path.abspath(args.floor)
    targets = []
    if not args.skip_crates:
        for set_name, label, fetch in (("tuning", "all pinned crates", "bench/fetch.sh"),
                                        ("check", "all check crates", "bench/fetch_check.sh")):
            if set_name == "check" and args.skip_check:
                continue
            dirs = set_dirs(set_name)
            if not dirs:
                print(f"no crate of the {set_name} set is on disk ({fetch}); skipping it")
                continue
            if not args.skip_each:
                targets.extend((n, [d]) for n, d in dirs)
            targets.append((label, [d for _, d in dirs]))
    # Another size gets its own folder, so a quick trial never rewrites the shared 20 MB tree
    # (bench/lsp_latency.py and bench/differential.py use it).
    gen = os.path.join(BENCH_DIR, "generated" if args.generated_mb == 20 else f"generated-{args.generated_mb}mb")
    generate(gen, args.generated_mb)
    targets.append((f"generated {args.generated_mb} MB", [gen]))

    scratch = tempfile.mkdtemp(prefix="unawaited-speed-")
    try:
        run_all(args, targets, gen, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def load():
    """The load averages (1, 5, 15 minutes): on a shared machine they say how much to trust a run."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_all(args, targets, gen, scratch):
    # No dependency source is read: an empty CARGO_HOME (issue 16 measures the workspace's own files).
    home = os.path.join(scratch, "empty-cargo-home")
    os.makedirs(home)
    env = dict(os.environ, CARGO_HOME=home)
    env.pop("UNAWAITED_TIMINGS", None)
    warm_env = dict(env, UNAWAITED_CACHE_DIR=CACHE_DIR)
    state = {}
    tool_command(args.bin, targets[0][1], 1, state, env)  # find out about --no-cache before the table
    results = []
    head = (f"{'target':<20} {'MB':>5} | {'floor1 s':>8} {'tool1 s':>8} {'ratio':>5} | {'floor2 s':>8} {'tool2 s':>8} {'ratio':>5}"
            f" | {'warm2 s':>7} {'ratio':>5} | {'floor x':>7} {'tool x':>6} | {'floorMB':>7} {'toolMB':>7} {'ratio':>5} {'MB/MB':>5}")
    started = load()
    print(f"tool: {args.bin}\nfloor: {args.floor}\nCARGO_HOME empty (no dependency source read); median of {args.reps} runs; "
          f"{os.cpu_count()} cores, load average {started} at the start")
    print(f"targets: cold tool/floor <= {COLD_RATIO} at 1 and 2 threads; warm2/floor2 <= {WARM_RATIO}; "
          f"tool 1->2 speedup (tool x) >= the floor's (floor x); peak RSS tool/floor <= {MEMORY_RATIO}; "
          f"MB/MB: tool peak RSS per MB of source")
    print(head)
    print("-" * len(head))
    for name, dirs in targets:
        line, (files, _, unparsed) = floor_run(args.floor, dirs, 1, scratch)
        # MB of source from the bytes (the floor prints one decimal: too coarse for a small crate).
        size = sum(os.path.getsize(f) for d in dirs for f in accuracy.rust_files(d)) / 1e6
        row = {"target": name, "mb": size, "files": files, "not_parsed": unparsed, "floor_line": line}
        # With the index cache warm (a run before fills it): the everyday case of an editor, a
        # pre-commit hook or a CI job that keeps target/ between runs.
        warm_cmd = [c for c in tool_command(args.bin, dirs, 2, state, env) if c != "--no-cache"]
        measure(warm_cmd, warm_env)
        commands = {"floor1": ([args.floor, "--jobs", "1", *dirs], None),
                    "tool1": (tool_command(args.bin, dirs, 1, state, env), env),
                    "floor2": ([args.floor, "--jobs", "2", *dirs], None),
                    "tool2": (tool_command(args.bin, dirs, 2, state, env), env),
                    "warm2": (warm_cmd, warm_env)}
        # Interleaved: each repetition runs all five back to back, so a burst of other work on
        # the shared machine hits the floor and the tool alike.
        runs = {k: [] for k in commands}
        for _ in range(args.reps):
            for key, (cmd, cmd_env) in commands.items():
                runs[key].append(checked(cmd, cmd_env))
        for key, values in runs.items():
            mb_key = {"floor1": "floor_mb1", "tool1": "tool_mb1", "floor2": "floor_mb2",
                      "tool2": "tool_mb2", "warm2": "warm_mb2"}[key]
            row[key] = statistics.median(v[0] for v in values)
            row[key + "_min"] = min(v[0] for v in values)
            row[mb_key] = max(v[1] for v in values)
        r1 = row["tool1"] / row["floor1"]
        r2 = row["tool2"] / row["floor2"]
        rw = row["warm2"] / row["floor2"]
        speedup = row["tool1"] / row["tool2"]
        floor_speedup = row["floor1"] / row["floor2"]
        floor_mb = max(row["floor_mb1"], row["floor_mb2"])
        tool_mb = max(row["tool_mb1"], row["tool_mb2"], row["warm_mb2"])
        mem = tool_mb / floor_mb
        per_mb = tool_mb / size if size else float("nan")
        row.update(ratio1=r1, ratio2=r2, warm_ratio=rw, speedup=speedup, floor_speedup=floor_speedup,
                   memory_ratio=mem, tool_mb_per_source_mb=per_mb, floor_mb_per_source_mb=floor_mb / size if size else None,
                   ok={"cold": max(r1, r2) <= COLD_RATIO, "warm": rw <= WARM_RATIO,
                       "speedup": speedup >= floor_speedup, "memory": mem <= MEMORY_RATIO})
        results.append(row)
        ok = row["ok"]
        print(f"{name[:20]:<20} {size:>5.1f} | {row['floor1']:>8.3f} {row['tool1']:>8.3f} {r1:>5.2f} | "
              f"{row['floor2']:>8.3f} {row['tool2']:>8.3f} {r2:>5.2f} | "
              f"{row['warm2']:>7.3f} {rw:>5.2f} | {floor_speedup:>7.2f} {speedup:>6.2f} | "
              f"{floor_mb:>7.1f} {tool_mb:>7.1f} {mem:>5.2f} {per_mb:>5.1f}   "
              f"cold {mark(ok['cold'])}, warm {mark(ok['warm'])}, speedup {mark(ok['speedup'])}, memory {mark(ok['memory'])}",
              flush=True)
    print("-" * len(head))
    print("Small crates finish in tens of milliseconds, where process start-up and the thread pool "
          "dominate: judge the targets on the large rows (all pinned crates, all check crates, generated).")
    for row in results:
        if row["files"] is not None and row["not_parsed"]:
            print(f"({row['target']}: {row['not_parsed']} of {row['files']} files do not parse with syn)")
    one = one_file(args, gen, state, warm_env)
    phase_rows = [] if args.skip_phases else phase_table(args, targets, results, env, scratch)
    finished = load()
    print(f"\nload average {started} at the start, {finished} at the end")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"bin": args.bin, "floor": args.floor, "reps": args.reps, "targets": results,
                       "one_file": one, "phases": phase_rows, "load_start": started, "load_end": finished},
                      f, indent=1)


def phase_table(args, targets, results, env, scratch):
    """Per target, one cold run at --jobs 1 with UNAWAITED_TIMINGS=1: each phase's seconds and
    the resident MB after it; then the wall time, the peak RSS and MB of peak RSS per MB of source."""
    rows = []
    for (name, dirs), res in zip(targets, results):
        phase_list, wall, rss, files = phases(args.bin, dirs, env, scratch)
        rows.append({"target": name, "phases": [{"phase": p, "s": t, "resident_mb": m} for p, t, m in phase_list],
                     "wall": wall, "peak_mb": rss, "source_mb": res["mb"], "tool_files": files,
                     "floor_files": res["files"]})
    names = []
    for r in rows:
        for p in r["phases"]:
            if p["phase"] not in names:
                names.append(p["phase"])
    if not names:
        print("\n(no phase timings on stderr: the tool does not print UNAWAITED_TIMINGS lines)")
        return rows
    print(f"\nper phase, one cold run at --jobs 1 (UNAWAITED_TIMINGS=1): seconds / resident MB after the phase")
    for i, n in enumerate(names):
        print(f"  p{i + 1} = {n}")
    head = f"{'target':<20} " + " ".join(f"{'p' + str(i + 1):>11}" for i in range(len(names))) + \
        f" | {'wall s':>7} {'peak MB':>7} {'MB/MB':>5} {'files':>6}"
    print(head)
    print("-" * len(head))
    for r in rows:
        by = {p["phase"]: p for p in r["phases"]}
        cells = []
        for n in names:
            p = by.get(n)
            cells.append(f"{p['s']:>6.3f}/{p['resident_mb'] if p['resident_mb'] is not None else '?':>4}" if p else f"{'-':>11}")
        per_mb = r["peak_mb"] / r["source_mb"] if r["source_mb"] else float("nan")
        files = r["tool_files"]
        flag = "" if files is None or files == r["floor_files"] else f"  (floor: {r['floor_files']} files)"
        print(f"{r['target'][:20]:<20} " + " ".join(f"{c:>11}" for c in cells) +
              f" | {r['wall']:>7.3f} {r['peak_mb']:>7.1f} {per_mb:>5.1f} {files if files is not None else '?':>6}{flag}")
    print("-" * len(head))
    big = [r for r in rows if r["target"] in ("all pinned crates", "all check crates") or r["target"].startswith("generated")]
    for r in big:
        total = sum(p["s"] for p in r["phases"]) or 1.0
        top = max(r["phases"], key=lambda p: p["s"], default=None)
        if top:
            print(f"{r['target']}: {top['phase']} takes {100 * top['s'] / total:.0f}% of the phases' time")
    return rows


def one_file(args, gen, state, env):
    """The editor and pre-commit case: one named file of the generated workspace, its whole
    context indexed, with the cache cold (--no-cache) and warm."""
    files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(gen, "src"))
                   for f in fs if f.endswith(".rs"))
    path = files[len(files) // 2]
    cmd = [args.bin, "check", path, "--format", "json"]
    cold, cold_mb = median_run(cmd + ["--no-cache"], args.reps, env)
    measure(cmd, env)
    warm, warm_mb = median_run(cmd, args.reps, env)
    print(f"one file of the generated workspace ({os.path.relpath(path, gen)}), whole context indexed: "
          f"no cache {cold:.3f} s ({cold_mb:.0f} MB), cache warm {warm:.3f} s ({warm_mb:.0f} MB); "
          f"target <= {ONE_FILE_WARM} s warm: {mark(warm <= ONE_FILE_WARM)}")
    return {"path": path, "no_cache": cold, "no_cache_mb": cold_mb, "warm": warm, "warm_mb": warm_mb}


if __name__ == "__main__":
    main()
