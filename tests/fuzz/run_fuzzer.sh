#!/usr/bin/env bash
# Builds the decoder's libFuzzer target with clang (ASan + UBSan + libFuzzer) and runs it for
# a bounded time, seeded from the captures. Usage: run_fuzzer.sh SOURCE_DIR WORK_DIR SEEDER [SECONDS]
set -euo pipefail
src=$1; work=$2; seeder=$3; seconds=${4:-60}
command -v clang++ >/dev/null || { echo "clang++ is missing (Debian: clang, libclang-rt-14-dev)" >&2; exit 1; }
mkdir -p "$work"
cmake -S "$src/tests/fuzz/target" -B "$work/build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DMQTTSCOPE_SOURCE_DIR="$src" > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" --parallel "$(nproc)" > "$work/build.log" 2>&1 || { tail -50 "$work/build.log"; exit 1; }
rm -rf "$work/corpus" && mkdir -p "$work/corpus" "$work/artifacts"
"$seeder" "$src/tests/data" "$work/corpus"
# -max_total_time bounds the run; any crash or property violation fails the test with its input saved.
"$work/build/fuzz_decoder" "$work/corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 2>&1 | tail -25
