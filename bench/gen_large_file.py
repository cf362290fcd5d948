#!/usr/bin/env python3
"""A package whose `src/lib.rs` is one large generated file (issue 30, item 9): thousands of
small fns, sync and async, calling each other; a few long `match`es; large constant arrays; an
impl block with many methods. Deterministic.

Usage: python3 bench/gen_large_file.py DIR [--mb 10] [--shape mixed|fns]

Then, for instance:
    /usr/bin/time -v unawaited check DIR -q --exit-zero --jobs 2 --no-cache -vv
"""

import argparse
import os


def small_fns_text(megabytes):
    """Only small fns, about 50 bytes each: the most items per byte."""
    out = ["//! Generated: one large file of small fns.\n\n"]
    written = len(out[0])
    i = 0
    while written < megabytes * 1_000_000:
        s = (f"pub async fn a{i}() -> u32 {{ {i} }}\n" if i % 4 == 0
             else f"pub fn f{i}(x: u32) -> u32 {{ x + a{i - i % 4}() }}\n" if i % 4 == 1
             else f"pub fn f{i}() -> u32 {{ {i} }}\n")
        out.append(s)
        written += len(s)
        i += 1
    return "".join(out)


def mixed_text(megabytes):
    out = ["//! Generated: one large file.\n", "use std::time::Duration;\n\n"]
    written = sum(len(s) for s in out)
    target = megabytes * 1_000_000
    i = 0
    while written < target:
        shape = i % 8
        if shape == 0:
            s = (f"pub async fn fetch_{i}(value: u64) -> u64 {{\n"
                 f"    tokio::time::sleep(Duration::from_micros(value % {i % 97 + 1})).await;\n"
                 f"    value.wrapping_mul({i % 13 + 2})\n}}\n\n")
        elif shape == 1:
            s = (f"pub async fn combine_{i}(value: u64) -> u64 {{\n"
                 f"    let a = fetch_{i - 1}(value).await;\n"
                 f"    let b = compute_{i + 1}(a);\n"
                 f"    a ^ b\n}}\n\n")
        elif shape == 2:
            s = (f"pub fn compute_{i}(value: u64) -> u64 {{\n"
                 f"    let mut acc = value;\n"
                 f"    for k in 0..{i % 7 + 1} {{\n"
                 f"        acc = acc.rotate_left(k) ^ {i};\n"
                 f"    }}\n    acc\n}}\n\n")
        elif shape == 3:
            arms = "".join(f"        {k} => {(k * 31 + i) % 1000},\n" for k in range(40))
            s = (f"pub fn table_{i}(key: u32) -> u32 {{\n    match key {{\n{arms}"
                 f"        _ => 0,\n    }}\n}}\n\n")
        elif shape == 4:
            items = ", ".join(str((k * 7 + i) % 256) for k in range(120))
            s = f"pub const DATA_{i}: [u8; 120] = [{items}];\n\n"
        elif shape == 5:
            s = (f"pub struct Record{i} {{\n    pub id: u64,\n    pub name: String,\n"
                 f"    pub tags: Vec<String>,\n}}\n\n"
                 f"impl Record{i} {{\n"
                 f"    pub fn new(id: u64) -> Self {{\n"
                 f"        Self {{ id, name: format!(\"r{{}}\", id), tags: Vec::new() }}\n    }}\n\n"
                 f"    pub async fn load(&self) -> u64 {{\n        fetch_{i - 5}(self.id).await\n    }}\n"
                 f"}}\n\n")
        elif shape == 6:
            s = (f"pub async fn driver_{i}() {{\n"
                 f"    let r = Record{i - 1}::new({i});\n"
                 f"    let n = r.load().await;\n"
                 f"    let _ = table_{i - 3}(n as u32);\n"
                 f"    let _ = combine_{i - 5}(n).await;\n}}\n\n")
        else:
            s = (f"pub fn helper_{i}(data: &[u8]) -> usize {{\n"
                 f"    data.iter().filter(|b| **b > {i % 200}).count() + DATA_{i - 3}.len()\n}}\n\n")
        out.append(s)
        written += len(s)
        i += 1
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mb", type=int, default=10)
    ap.add_argument("--shape", choices=["mixed", "fns"], default="mixed",
                    help="mixed: fns, matches, arrays, impls; fns: small fns only")
    args = ap.parse_args()
    src = os.path.join(args.dir, "src")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(args.dir, "Cargo.toml"), "w") as f:
        f.write('[package]\nname = "large"\nversion = "0.1.0"\nedition = "2021"\n\n'
                '[dependencies]\ntokio = { version = "1", features = ["full"] }\n')
    text = (mixed_text if args.shape == "mixed" else small_fns_text)(args.mb)
    with open(os.path.join(src, "lib.rs"), "w") as f:
        f.write(text)
    print(f"wrote {len(text) / 1e6:.1f} MB to {os.path.join(src, 'lib.rs')}")


if __name__ == "__main__":
    main()
