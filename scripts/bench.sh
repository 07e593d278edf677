#!/usr/bin/env bash
# The speed and scale benchmark of docs/performance.md (not part of CI: it reads the corpus,
# generates large inputs and builds mini-redis with clippy). Run from anywhere; needs the corpus
# fetched by ../shared/corpus/sources.sh.
#
#   scripts/bench.sh              # everything
#   RUNS=10 scripts/bench.sh      # more repetitions (the best of RUNS is reported)
#   ONLY=binary scripts/bench.sh  # one part: library, binary, corpus, chain, guards, big, mini-redis
#   CALLGRIND=1 scripts/bench.sh  # also count instructions (valgrind) for the library and -j 1
#
# Times are wall-clock seconds, the best of RUNS; "cpu" is user + system time of that run
# (children included), "rss" its peak resident set. On a shared machine the best of several runs
# and the instruction counts are the numbers to compare.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
only=${ONLY:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
direct=$(../shared/corpus/sources.sh --direct)

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

# measure CMD...: "wall cpu rss_mb" of the fastest of $runs runs (exit codes are ignored).
measure() {
    local best="" cpu="" rss=""
    for _ in $(seq "$runs"); do
        /usr/bin/time -o "$tmp/time" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
        local e u s m
        read -r e u s m < <(tail -1 "$tmp/time")
        if [ -z "$best" ] || awk "BEGIN{exit !($e < $best)}"; then
            best=$e
            cpu=$(awk "BEGIN{printf \"%.2f\", $u + $s}")
            rss=$((m / 1024))
        fi
    done
    echo "$best $cpu $rss"
}

# report LABEL "wall cpu rss" [FLOOR]: one line, with the ratio to FLOOR's wall time if given.
report() {
    local label=$1 wall cpu rss
    read -r wall cpu rss <<<"$2"
    if [ -n "${3:-}" ]; then
        printf '%-46s %7.2f s  cpu %6.2f s  rss %5d MB  %5.2fx the floor\n' "$label" "$wall" "$cpu" "$rss" \
            "$(awk "BEGIN{print $wall / $3}")"
    else
        printf '%-46s %7.2f s  cpu %6.2f s  rss %5d MB\n' "$label" "$wall" "$cpu" "$rss"
    fi
}

# instructions CMD...: the instruction count of CMD (valgrind's callgrind), in billions.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        awk '/Collected/ {printf "%.2f", $4 / 1e9}'
}

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(rustc --version)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

cargo build --quiet --release -p cargo-cancel-check
cargo build --quiet --release -p cancel-check-lints --example bench
bin=$PWD/target/release/cargo-cancel-check
bench=$PWD/target/release/examples/bench
floor=""

if want library || want binary; then
    echo "== the floor: a syn parse-only pass over the 35 direct crates, 1 thread (files read first)"
    parse=$(measure "$bench" --only parse $direct)
    report "parse only (syn)" "$parse"
    floor=${parse%% *}
fi

if want library; then
    echo "== library: the full analysis over the same files in memory (lints/examples/bench.rs)"
    "$bench" --runs "$runs" $direct
    full=$(measure "$bench" --only full $direct)
    report "full analysis, 1 job, as a process" "$full" "$floor"
    if [ -n "${CALLGRIND:-}" ]; then
        read_ir=$(instructions "$bench" --only read $direct)
        parse_ir=$(instructions "$bench" --only parse $direct)
        full_ir=$(instructions "$bench" --only full $direct)
        echo "instructions (billions): reading $read_ir, parse $parse_ir, full $full_ir:" \
            "$(awk "BEGIN{printf \"%.2f\", ($full_ir - $read_ir) / ($parse_ir - $read_ir)}")x the floor"
    fi
fi

if want binary; then
    echo "== binary: the 35 direct crates as PATHs, JSON (package contexts), no cache, no dependency docs"
    one=$(measure "$bin" -j 1 --no-cache --no-deps-docs --message-format json $direct)
    two=$(measure "$bin" -j 2 --no-cache --no-deps-docs --message-format json $direct)
    report "-j 1" "$one" "$floor"
    report "-j 2" "$two" "$floor"
    echo "-j 2 speedup over -j 1: $(awk "BEGIN{printf \"%.2f\", ${one%% *} / ${two%% *}}")x"
    report "-j 1, --message-format short (no contexts)" \
        "$(measure "$bin" -j 1 --no-cache --no-deps-docs --format short $direct)" "$floor"
    "$bin" -j 2 --no-deps-docs --format short --target-dir "$tmp/target" $direct >/dev/null 2>&1 || true
    report "-j 2, second run with the result cache" \
        "$(measure "$bin" -j 2 --no-deps-docs --format short --target-dir "$tmp/target" $direct)" "$floor"
    if command -v strace >/dev/null; then
        # Processes the run starts (package contexts: one `cargo metadata` per workspace root);
        # a call through rustup's proxy is two execs of one process.
        strace -f -qq -e trace=execve -o "$tmp/strace" \
            "$bin" -j 2 --no-cache --no-deps-docs --message-format json $direct >/dev/null 2>&1 || true
        echo "processes started: $(grep -c '\["cargo", "metadata"' "$tmp/strace") cargo metadata" \
            "($(grep -c 'execve(' "$tmp/strace") execs in all, the binary's own included)"
    fi
    if [ -n "${CALLGRIND:-}" ]; then
        echo "instructions of -j 1 (billions, this process only): $(instructions "$bin" -j 1 --no-cache --no-deps-docs --message-format json $direct)"
    fi
fi

if want corpus; then
    all=$(../shared/corpus/sources.sh)
    echo "== the whole corpus ($(echo "$all" | wc -l) crates), -j 2, no cache, no dependency docs"
    runs_saved=$runs
    runs=1
    report "-j 2, short" "$(measure "$bin" -j 2 --no-cache --no-deps-docs --format short $all)"
    runs=$runs_saved
fi

if want chain; then
    echo "== a chain of async fns, each awaiting the next, callers first (scripts/generate.py chain)"
    for spec in "20000 1" "20000 4000" "40000 1"; do
        read -r fns files <<<"$spec"
        rm -rf "$tmp/chain"
        scripts/generate.py chain "$tmp/chain" "$fns" "$files"
        report "$fns fns in $files file(s)" \
            "$(measure "$bin" -j 1 --no-cache --no-deps-docs --format short "$tmp/chain")"
    done
fi

if want guards; then
    echo "== std Mutex guards in one body (scripts/generate.py guards)"
    for guards in 4000 16000; do
        rm -rf "$tmp/guards"
        scripts/generate.py guards "$tmp/guards" "$guards"
        report "$guards guards held across an await, $guards dropped" \
            "$(measure "$bin" -j 1 --no-cache --no-deps-docs --format short "$tmp/guards")"
    done
fi

if want big; then
    echo "== one big generated file (scripts/generate.py big)"
    for mb in 10 100; do
        rm -rf "$tmp/big"
        scripts/generate.py big "$tmp/big" "$mb"
        result=$(measure "$bin" -j 1 --no-cache --no-deps-docs --format short "$tmp/big")
        report "$mb MB" "$result"
        echo "   $(awk "BEGIN{printf \"%.0f\", ${result##* } * 1048576 / ($mb * 1e6)}") bytes of peak RSS per byte of source;" \
            "$("$bin" --no-cache --no-deps-docs --format short "$tmp/big" 2>/dev/null | grep -c parse_error || true) parse_error finding(s)"
    done
    rm -rf "$tmp/big"
fi

if want mini-redis; then
    echo "== mini-redis on its own (workspace mode), next to cargo clippy"
    mr=$tmp/mini-redis
    cp -r "$(echo "$direct" | grep '/mini-redis-')" "$mr"
    (cd "$mr" && cargo generate-lockfile --offline --quiet)
    (cd "$mr" && report "no cache (dependency docs mined)" "$(measure "$bin" --no-cache --format short)")
    (cd "$mr" && "$bin" --format short >/dev/null 2>&1 || true)
    (cd "$mr" && report "warm: result cache and dependency docs cached" "$(measure "$bin" --format short)")
    (cd "$mr" && report "warm, --no-deps-docs" "$(measure "$bin" --no-deps-docs --format short)")
    (cd "$mr" && cargo clean --quiet &&
        /usr/bin/time -f "cargo clippy, cold (deps built):   %e s, %M KB" cargo clippy --quiet --offline 2>&1 >/dev/null | tail -1) ||
        echo "cargo clippy could not build mini-redis offline"
    (cd "$mr" && touch src/lib.rs &&
        /usr/bin/time -f "cargo clippy, warm (lib touched):  %e s, %M KB" cargo clippy --quiet --offline 2>&1 >/dev/null | tail -1) ||
        echo "cargo clippy could not build mini-redis offline"
fi
