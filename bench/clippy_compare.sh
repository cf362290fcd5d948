#!/usr/bin/env bash
# Side by side with `cargo clippy` after a one-file edit, on one real crate of the benchmark set.
#
# Copies the pinned crate (default tokio-stream) from the vendored set (bench/fetch.sh) into the
# scratch folder, builds it once with `cargo clippy` (dependencies from the registry), warms
# unawaited's cache, then, --reps times: appends a comment line to one file and times
#   cargo clippy --all-features        (incremental: the edited crate is checked again; all
#                                      features, as unawaited sees every cfg branch)
#   unawaited check FILE               (the whole package indexed, the cache warm)
#   unawaited check FILE --no-cache
#   unawaited check .                  (the whole package, the cache warm)
# and prints the medians. Nothing here is committed; the copy lives in $DIR/clippy/.
#
#   bash bench/clippy_compare.sh [CRATE [FILE]]     e.g. tokio src/net/tcp/stream.rs
#   (REPS=5, CLIPPY_ARGS=--all-features, BIN=target/release/unawaited by default)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dir="${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}"
crate="${1:-tokio-stream}"
file="${2:-src/stream_ext.rs}"
reps="${REPS:-5}"
bin="${BIN:-$root/target/release/unawaited}"
[ -x "$bin" ] || { echo "missing $bin: cargo build --release" >&2; exit 2; }
version="$(awk -v c="$crate" '$1 == c { print $2 }' "$here/crates.txt")"
src="$dir/vendor/$crate-$version"
[ -d "$src" ] || { echo "missing $src: bash bench/fetch.sh" >&2; exit 2; }

work="$dir/clippy/$crate"
rm -rf "$work"
mkdir -p "$work"
cp -R "$src/." "$work/"
rm -f "$work/.cargo-checksum.json"
cd "$work"
echo "building $crate $version once with cargo clippy (dependencies from the registry)..."
clippy=(cargo clippy --quiet ${CLIPPY_ARGS:---all-features})
CARGO_TARGET_DIR="$work/target" "${clippy[@]}" 2>/dev/null || CARGO_TARGET_DIR="$work/target" "${clippy[@]}"
"$bin" check "$file" --exit-zero --format json >/dev/null

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A times
for _ in $(seq "$reps"); do
    echo "// edited for the benchmark" >> "$file"
    times[clippy]+="$(CARGO_TARGET_DIR="$work/target" seconds "${clippy[@]}") "
    times[one]+="$(seconds "$bin" check "$file" --exit-zero --format json) "
    times[one_nocache]+="$(seconds "$bin" check "$file" --exit-zero --format json --no-cache) "
    times[all]+="$(seconds "$bin" check . --exit-zero --format json) "
done
lines=$(find src -name '*.rs' -print0 | xargs -0 cat | wc -l)
echo "$crate $version ($lines lines of src/), one file edited ($file), median of $reps:"
for k in clippy one one_nocache all; do
    label=$(case $k in
        clippy) echo "${clippy[*]:1} (incremental)";;
        one) echo "unawaited check FILE (cache warm)";;
        one_nocache) echo "unawaited check FILE --no-cache";;
        all) echo "unawaited check . (cache warm)";;
    esac)
    printf '  %-36s %6.3f s\n' "$label" "$(echo "${times[$k]}" | tr ' ' '\n' | grep . | median)"
done
