#!/usr/bin/env python3
"""Latency of `unawaited server`: from a `didChange` to the `publishDiagnostics` of that
version, for a 1,000-line file of the generated ~20 MB workspace (bench/speed.py's), warm: the
index cache is built and the document has been checked once before timing starts.

Each round toggles `.await` on one statement of the open buffer (an incremental change), so the
finding appears and goes in turn; the file on disk is never changed. Reports the median and the
90th percentile, with the server's default debounce and with `debounceMs: 0` (the check alone).
The default debounce is 0 ms (`src/server/settings.rs`): edits that arrive while a check runs
are coalesced into the next check, none is waited for, so the two rows time the same
configuration twice (two samples of it; each edit here is sent once the last one's diagnostics
are out, so nothing is coalesced either). Target: median <= 50 ms.

With `--workspace DIR --file REL` it times a real workspace instead (`bench/real_workspace.py`
makes a ~20 MB one of the vendored crates): the buffer is that file, grown the same way, with an
`async fn` of its own whose call is toggled.

Usage: python3 bench/lsp_latency.py [--rounds 30] [--generated-mb 20] [--bin PATH]
                                    [--workspace DIR --file REL]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import queue

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, HERE)
from speed import BENCH_DIR, CACHE_DIR, generate  # noqa: E402

TARGET_MS = 50
LINES = 1000


class Server:
    """A minimal LSP client over the server's stdin/stdout."""

    def __init__(self, binary, cwd, options):
        env = dict(os.environ, UNAWAITED_CACHE_DIR=CACHE_DIR)
        self.proc = subprocess.Popen([binary, "server"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0
        self.request("initialize", {"processId": None, "rootUri": "file://" + cwd,
                                    "capabilities": {}, "initializationOptions": options})
        self.notify("initialized", {})

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def wait(self, wanted, timeout=600):
        deadline = time.perf_counter() + timeout
        while True:
            at, m = self.messages.get(timeout=max(deadline - time.perf_counter(), 0.001))
            if wanted(m):
                return at, m

    def published(self, uri, version):
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri and m["params"].get("version") == version)

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=60)


def buffer_text(path, own_target=False):
    """The module's text, grown to LINES lines with more functions, and an async fn whose last
    statement is toggled (a call of the generated workspace's `helper_0`, or with `own_target`
    of an `async fn` added to the buffer). Returns the text and where `.await` goes."""
    text = open(path).read()
    extra = []
    k = 0
    while text.count("\n") + sum(s.count("\n") for s in extra) < LINES - 3:
        extra.append(f"pub fn padding_{k}(x: u64) -> u64 {{\n    x.wrapping_mul({k + 3})\n}}\n\n")
        k += 1
    text += "".join(extra)
    lines = text.count("\n")
    if own_target:
        text += "async fn unawaited_bench_target(_: u64) {}\n"
        lines += 1
        text += "pub async fn toggled() {\n    unawaited_bench_target(1).await;\n}\n"
        line = lines + 1
        character = len("    unawaited_bench_target(1)")
        return text, line, character
    text += "pub async fn toggled() {\n    helper_0(1).await;\n}\n"
    line = lines + 1
    character = len("    helper_0(1)")
    return text, line, character


def measure(binary, gen, path, rounds, options, own_target=False):
    server = Server(binary, gen, options)
    uri = "file://" + path
    text, line, character = buffer_text(path, own_target)
    assert text.count("\n") >= LINES, text.count("\n")
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "rust", "version": 1, "text": text}})
    server.published(uri, 1)  # warm: the first check builds the cache
    times = []
    awaited = True
    for version in range(2, rounds + 2):
        if awaited:
            change = {"range": {"start": {"line": line, "character": character},
                                "end": {"line": line, "character": character + 6}}, "text": ""}
        else:
            change = {"range": {"start": {"line": line, "character": character},
                                "end": {"line": line, "character": character}}, "text": ".await"}
        awaited = not awaited
        sent = time.perf_counter()
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        at, m = server.published(uri, version)
        codes = [d.get("code") for d in m["params"]["diagnostics"]]
        assert ("unawaited_future" in codes) != awaited, (version, codes)
        times.append((at - sent) * 1000)
    server.close()
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--generated-mb", type=int, default=20)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "unawaited"),
                    type=os.path.abspath)
    ap.add_argument("--workspace", type=os.path.abspath,
                    help="a real workspace (bench/real_workspace.py) instead of the generated one")
    ap.add_argument("--file", help="with --workspace: the buffer, relative to the workspace")
    args = ap.parse_args()
    if args.workspace:
        if not args.file:
            sys.exit("--workspace needs --file")
        gen = args.workspace
        files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(gen)
                       for f in fs if f.endswith(".rs"))
        path = os.path.join(gen, args.file)
    else:
        gen = os.path.join(BENCH_DIR, "generated")
        generate(gen, args.generated_mb)
        files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(gen, "src"))
                       for f in fs if f.endswith(".rs"))
        path = files[len(files) // 2]
    size = sum(os.path.getsize(f) for f in files) / 1e6
    print(f"workspace: {gen} ({size:.1f} MB, {len(files)} files); buffer: "
          f"{os.path.relpath(path, gen)} grown to {LINES}+ lines (not saved)")
    for label, options in [("default debounce", {}), ("debounceMs 0", {"debounceMs": 0})]:
        times = measure(args.bin, gen, path, args.rounds, options, bool(args.workspace))
        median = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9) - 1]
        verdict = "ok" if median <= TARGET_MS else "MISSED"
        print(f"didChange -> publishDiagnostics, {label}: median {median:.1f} ms, "
              f"p90 {p90:.1f} ms, min {min(times):.1f} ms over {len(times)} edits; "
              f"target median <= {TARGET_MS} ms: {verdict}")


if __name__ == "__main__":
    main()
