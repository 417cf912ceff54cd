#!/usr/bin/env bash
# Saves the README's payload-decoding screenshots, made by the shot_decoders program under Xvfb
# at 1600×1000 and 1366×768 (a common laptop), to check that no label is cut:
#   resources/take-decoder-screenshots.sh [BUILD_DIR] [OUT_DIR]
# decoded-message-WxH.png: the Messages view with a CBOR payload decoded by a rule;
# sparkplug-WxH.png: a Sparkplug B NDATA with its metrics named from the NBIRTH;
# decoder-table-WxH.png: the decoder table with its rules and schema folders.
# Needs xvfb-run (Debian: xvfb, xauth). Build the target first: cmake --build build --target shot_decoders
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-resources/screenshots}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
for size in 1600x1000 1366x768; do
    xvfb-run -a -s "-screen 0 ${size}x24" "$build/tests/ui/shot_decoders" "$out" "${size%x*}" "${size#*x}"
    echo "saved $out/{decoded-message,sparkplug,decoder-table}-$size.png"
done
