#!/usr/bin/env bash
# The speed benchmark of docs/performance.md (not part of CI: it reads ~2,400 files of the corpus
# and builds mini-redis with clippy). Run from anywhere; needs the corpus fetched by
# ../shared/corpus/sources.sh.
#
#   scripts/bench.sh            # everything
#   RUNS=10 scripts/bench.sh    # more repetitions (best of RUNS is reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
corpus=$(../shared/corpus/sources.sh --direct)

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(rustc --version)"

echo "== library: parse floor against the full analysis, 1 and 2 jobs (files in memory)"
cargo run --quiet --release -p cancel-check-lints --example bench -- --runs "$runs" $corpus

echo "== binary: read, analyse, render (no cache, no dependency docs)"
cargo build --quiet --release -p cargo-cancel-check
bin=target/release/cargo-cancel-check
best() { # best wall time of $runs runs of a command, and its peak RSS
    local best_time="" rss=""
    for _ in $(seq "$runs"); do
        local line report
        report=$(mktemp)
        /usr/bin/time -o "$report" -f "%e %M" "$@" >/dev/null 2>&1
        line=$(tail -1 "$report")
        rm -f "$report"
        local t=${line% *} m=${line#* }
        if [ -z "$best_time" ] || awk "BEGIN{exit !($t < $best_time)}"; then best_time=$t; rss=$m; fi
    done
    echo "$best_time s, $((rss / 1024)) MB peak RSS"
}
set +e
echo "-j 1: $(best $bin -j 1 --no-cache --no-deps-docs --format short $corpus)"
echo "-j 2: $(best $bin -j 2 --no-cache --no-deps-docs --format short $corpus)"
cache_dir=$(mktemp -d)
$bin -j 2 --no-deps-docs --format short --target-dir "$cache_dir" $corpus >/dev/null
echo "-j 2, second run with the cache: $(best $bin -j 2 --no-deps-docs --format short --target-dir "$cache_dir" $corpus)"
rm -rf "$cache_dir"
set -e

echo "== mini-redis on its own, next to cargo clippy"
mr=$(mktemp -d)/mini-redis
cp -r "$(echo "$corpus" | tr ' ' '\n' | grep '/mini-redis-')" "$mr"
(cd "$mr" && cargo generate-lockfile --offline --quiet)
set +e
echo "cancel-check, no cache:            $(cd "$mr" && best "$OLDPWD/$bin" --no-cache --format short)"
(cd "$mr" && "$OLDPWD/$bin" --format short >/dev/null)
echo "cancel-check, cache warm:          $(cd "$mr" && best "$OLDPWD/$bin" --format short)"
set -e
(cd "$mr" && cargo clean --quiet && /usr/bin/time -f "cargo clippy, cold (deps built):   %e s, %M KB" cargo clippy --quiet --offline 2>&1 >/dev/null | tail -1)
(cd "$mr" && touch src/lib.rs && /usr/bin/time -f "cargo clippy, warm (lib touched):  %e s, %M KB" cargo clippy --quiet --offline 2>&1 >/dev/null | tail -1)
rm -rf "$(dirname "$mr")"
