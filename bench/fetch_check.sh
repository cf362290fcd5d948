#!/usr/bin/env bash
# Pulls the check set (bench/check-crates.txt, or the list named by $1) from the registry into a
# scratch folder outside the repository, each crate as published (its .crate archive from
# static.crates.io, so applications come too), then `cargo fetch`es each crate's dependencies into
# a private $CARGO_HOME-shaped folder, so the tool can be measured with the dependencies' sources
# present (CARGO_HOME=$DIR/home) and without them (--no-deps, or an empty CARGO_HOME).
#
#   DIR = ${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}
#   crates land in $DIR/check/<name>-<version>/, dependencies in $DIR/home/registry/src/*/
#
# Nothing is built and no build script runs: `cargo fetch` only downloads and unpacks. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
list="${1:-$here/check-crates.txt}"
# The folder the crates land in: $DIR/check, or $DIR/$SET_DIR (the blind set: SET_DIR=blind).
set_dir="${SET_DIR:-check}"
dir="${UNAWAITED_BENCH_DIR:-/tmp/unawaited-bench}"
case "$dir" in
    "$(cd "$here/.." && pwd)"/*) echo "fetch_check.sh: $dir is inside the repository; pick a scratch folder" >&2; exit 2 ;;
esac
# Each set's dependencies in a CARGO_HOME of its own ($DIR/home for the check set, else
# $DIR/home-$SET_DIR), so one set's downloads never change which versions another set reads.
home="$dir/home"
[ "$set_dir" = check ] || home="$dir/home-$set_dir"
mkdir -p "$dir/$set_dir" "$home" "$dir/archives"
sed -e 's/#.*//' "$list" | awk 'NF == 2 { print $1, $2 }' | while read -r name version; do
    dest="$dir/$set_dir/$name-$version"
    if [ ! -f "$dest/Cargo.toml" ]; then
        archive="$dir/archives/$name-$version.crate"
        [ -f "$archive" ] || curl -sSfL -o "$archive" "https://static.crates.io/crates/$name/$name-$version.crate"
        tar -xzf "$archive" -C "$dir/$set_dir"
    fi
    if [ ! -f "$dest/.fetched" ]; then
        # A published crate's manifest is normalised: no path dependencies, no workspace keys.
        fetched=0
        # A lock that pins a version the registry no longer serves (yanked): that one package is
        # moved to the highest version its dependents accept, the rest of the lock kept (the
        # published lock stays beside it as Cargo.lock.published). Up to five such packages.
        for _ in 1 2 3 4 5 6; do
            if CARGO_HOME="$home" cargo fetch --quiet --manifest-path "$dest/Cargo.toml" 2>"$dest/.fetch-errors"; then
                fetched=1
                break
            fi
            pkg="$(sed -n 's/^error: failed to select a version for the requirement `\([A-Za-z0-9_-]*\) = .*(locked to \([^)]*\)).*/\1@\2/p' "$dest/.fetch-errors" | head -1)"
            [ -n "$pkg" ] || break
            [ -f "$dest/Cargo.lock.published" ] || cp "$dest/Cargo.lock" "$dest/Cargo.lock.published"
            echo "fetch_check.sh: $name $version: $pkg's locked version is not served; updating that package only" >&2
            CARGO_HOME="$home" cargo update --quiet --manifest-path "$dest/Cargo.toml" -p "$pkg" 2>>"$dest/.fetch-errors" || break
        done
        if [ "$fetched" = 1 ]; then
            touch "$dest/.fetched"
        else
            echo "fetch_check.sh: $name $version: dependencies not fetched (see $dest/.fetch-errors)" >&2
        fi
    fi
done
echo "$set_dir set: $(ls "$dir/$set_dir" | wc -l) crates in $dir/$set_dir; dependency sources in $home"
