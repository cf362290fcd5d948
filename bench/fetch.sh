#!/usr/bin/env bash
# Pulls the pinned benchmark crates (bench/crates.txt) from the registry into a scratch folder
# outside the repository: a throwaway Cargo project whose dependencies are the pinned crates,
# then `cargo vendor`. Nothing here is committed; the folder is
# ${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}"
mkdir -p "$dir/project/src"
{
    echo '[package]'
    echo 'name = "unawaited-bench-set"'
    echo 'version = "0.0.0"'
    echo 'edition = "2021"'
    echo 'publish = false'
    echo '[workspace]'
    echo '[dependencies]'
    grep -v '^#' "$here/crates.txt" | while read -r name version; do
        [ -n "$name" ] && echo "$name = \"=$version\""
    done
} > "$dir/project/Cargo.toml.new"
echo 'fn main() {}' > "$dir/project/src/main.rs"
if [ -d "$dir/vendor" ] && cmp -s "$dir/project/Cargo.toml.new" "$dir/project/Cargo.toml"; then
    echo "already vendored in $dir/vendor"
    exit 0
fi
mv "$dir/project/Cargo.toml.new" "$dir/project/Cargo.toml"
(cd "$dir/project" && cargo vendor --quiet --versioned-dirs "$dir/vendor" >/dev/null)
echo "vendored $(ls "$dir/vendor" | wc -l) crates into $dir/vendor"
