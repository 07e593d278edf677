#!/usr/bin/env bash
# Whole-corpus soak test (not part of CI: it reads ~15,000 files, 260 MB). Runs the release binary
# over every crate of ../shared/corpus (the popular async crates and all their dependencies) and
# fails if a run crashes, hangs or reports an internal error. Prints the findings per lint, the
# files that do not parse, the wall time and the peak RSS. See scripts/README.md.
#
#   scripts/soak.sh                   # all folders in one run when the command line allows it
#   SOAK_CHUNK=50 scripts/soak.sh     # 50 folders per run
#   SOAK_TIMEOUT=300 SOAK_JOBS=1 scripts/soak.sh
#   SOAK_BIN=path/to/cargo-cancel-check scripts/soak.sh   # a binary built elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_secs=${SOAK_TIMEOUT:-1800} # per run: longer means a hang
jobs=${SOAK_JOBS:-$(nproc)}
chunk=${SOAK_CHUNK:-0}             # folders per run; 0: all at once if the command line fits
sources=${SOAK_SOURCES:-../shared/corpus/sources.sh}
out=$(mktemp -d "${TMPDIR:-/tmp}/cancel-check-soak.XXXXXX")

for tool in cargo timeout /usr/bin/time awk; do
    command -v "$tool" >/dev/null || { echo "error: soak.sh needs \`$tool\`" >&2; exit 1; }
done

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(rustc --version)"

if [ -n "${SOAK_BIN:-}" ]; then
    bin=$SOAK_BIN
else
    echo "== building the release binary"
    cargo build --quiet --release -p cargo-cancel-check
    bin=${CARGO_TARGET_DIR:-target}/release/cargo-cancel-check
fi

echo "== corpus"
mapfile -t folders < <("$sources")
if [ "${#folders[@]}" -eq 0 ]; then
    echo "error: $sources printed no folder" >&2
    exit 1
fi
# What the binary walks: `*.rs` files, skipping `target/` and hidden folders.
files=$(find "${folders[@]}" \( -name target -o -name '.?*' \) -prune -o -type f -name '*.rs' -print | wc -l)
bytes=$(find "${folders[@]}" \( -name target -o -name '.?*' \) -prune -o -type f -name '*.rs' -printf '%s\n' |
    awk '{ s += $1 } END { printf "%.0f", s / 1e6 }')
echo "${#folders[@]} crates, $files files, $bytes MB"

# One run when the folders fit in a quarter of the argument space, else chunks.
if [ "$chunk" -eq 0 ]; then
    length=$(printf '%s ' "${folders[@]}" | wc -c)
    if [ "$length" -lt $(($(getconf ARG_MAX) / 4)) ]; then
        chunk=${#folders[@]}
    else
        chunk=100
    fi
fi

echo "== runs: $chunk folders each, -j $jobs, timeout ${timeout_secs}s"
failures=0
runs=0
start=$(date +%s.%N)
peak=0
for ((first = 0; first < ${#folders[@]}; first += chunk)); do
    run=$runs
    runs=$((runs + 1))
    count=$((first + chunk > ${#folders[@]} ? ${#folders[@]} - first : chunk))
    status=0
    /usr/bin/time -o "$out/time.$run" -f "%e %M" timeout --signal=KILL "$timeout_secs" \
        "$bin" -j "$jobs" --message-format short --color never --no-cache --no-deps-docs \
        "${folders[@]:first:chunk}" >"$out/stdout.$run" 2>"$out/stderr.$run" || status=$?
    # GNU time reports a failed command on a line of its own; the last line has the numbers.
    seconds=? rss=0
    read -r seconds rss < <(tail -1 "$out/time.$run") || true
    [[ "$rss" =~ ^[0-9]+$ ]] || rss=0
    peak=$((rss > peak ? rss : peak))
    echo "run $run: folders $first..$((first + count - 1)), exit $status, ${seconds} s, $((rss / 1024)) MB peak RSS"
    case $status in
    0 | 1) ;;
    124 | 137) echo "  FAIL: killed after ${timeout_secs}s (a hang?)"; failures=$((failures + 1)) ;;
    *) echo "  FAIL: exit code $status"; failures=$((failures + 1)) ;;
    esac
    # A panic prints on stderr; a panic the analysis caught is an `internal error` finding.
    problems=$(
        grep -H -n -E "panicked at|overflowed its stack|RUST_BACKTRACE" "$out/stderr.$run"
        grep -H -n "internal error" "$out/stdout.$run"
    ) || true
    if [ -n "$problems" ]; then
        echo "$problems" | head -20
        echo "  FAIL: a panic or an internal error (above)"
        failures=$((failures + 1))
    fi
done
end=$(date +%s.%N)

echo "== findings per lint"
cat "$out"/stdout.* | awk '
    match($0, /: (warning|error)\[[a-z_]+\]: /) {
        s = substr($0, RSTART, RLENGTH); sub(/^: (warning|error)\[/, "", s); sub(/\]: $/, "", s)
        count[s]++; total++
    }
    END { for (lint in count) printf "%7d  %s\n", count[lint], lint }' |
    sort -k2 | sort -s -n -r -k1,1
cat "$out"/stdout.* | grep -c -E ': (warning|error)\[[a-z_]+\]: ' | awk '{ printf "%7d  total\n", $1 }' || true

echo "== files that could not be analysed (parse_error)"
grep -h "\[parse_error\]" "$out"/stdout.* | sed "s|^$HOME/.cargo/registry/src/[^/]*/||" | sort || true
echo "$(grep -h -c "\[parse_error\]" "$out"/stdout.* | awk '{ s += $1 } END { print s + 0 }') files"

echo "== summary"
echo "wall time: $(awk "BEGIN { printf \"%.1f\", $end - $start }") s for $runs run(s); peak RSS: $((peak / 1024)) MB"
echo "outputs: $out"
if [ "$failures" -gt 0 ]; then
    echo "FAILED: $failures problem(s)"
    exit 1
fi
echo "OK: every run exited 0 or 1, no panic, no internal error"
