#!/usr/bin/env bash
# Pulls the pinned benchmark crates (bench/crates.txt) from the registry into a scratch folder
# outside the repository: a throwaway Cargo project whose dependencies are exactly the pinned
# versions (`=x.y.z`), then `cargo vendor --versioned-dirs`, which leaves each crate's source in
# $DIR/vendor/<name>-<version>/ (next to every dependency they pull in; the benchmark scripts
# look only at the pinned ones). Nothing here is committed.
#
#   DIR = ${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}
#
# Idempotent: when the pinned list has not changed since the last complete vendoring, it only
# checks that every pinned crate is there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}"
case "$dir" in
    "$(cd "$here/.." && pwd)"/*) echo "fetch.sh: $dir is inside the repository; pick a scratch folder" >&2; exit 2 ;;
esac
mkdir -p "$dir/project/src"

pins() { sed -e 's/#.*//' "$here/crates.txt" | awk 'NF == 2 { print $1, $2 }'; }

{
    echo '[package]'
    echo 'name = "unawaited-bench-set"'
    echo 'version = "0.0.0"'
    echo 'edition = "2021"'
    echo 'publish = false'
    echo '[workspace]'
    echo '[dependencies]'
    pins | while read -r name version; do echo "$name = \"=$version\""; done
} > "$dir/project/Cargo.toml.new"
echo 'fn main() {}' > "$dir/project/src/main.rs"

check() {
    local missing=0
    while read -r name version; do
        if [ ! -f "$dir/vendor/$name-$version/Cargo.toml" ] && [ ! -f "$dir/vendor/$name/Cargo.toml" ]; then
            echo "fetch.sh: $name $version is missing from $dir/vendor" >&2
            missing=1
        fi
    done < <(pins)
    return $missing
}

if [ -f "$dir/.vendored" ] && cmp -s "$dir/project/Cargo.toml.new" "$dir/.vendored" && check; then
    rm -f "$dir/project/Cargo.toml.new"
    echo "already vendored: $(pins | wc -l) pinned crates in $dir/vendor"
    exit 0
fi
rm -f "$dir/.vendored"
mv "$dir/project/Cargo.toml.new" "$dir/project/Cargo.toml"
(cd "$dir/project" && cargo vendor --quiet --versioned-dirs "$dir/vendor" >/dev/null)
check
cp "$dir/project/Cargo.toml" "$dir/.vendored"
echo "vendored $(ls "$dir/vendor" | wc -l) crates into $dir/vendor; the benchmark set is the $(pins | wc -l) pinned in bench/crates.txt:"
pins | while read -r name version; do echo "  $dir/vendor/$name-$version"; done
