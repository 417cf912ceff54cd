#!/usr/bin/env bash
# Starts MQTT Scope on the demo under Xvfb and saves screenshots of the whole screen:
#   resources/take-screenshot.sh [BUILD_DIR] [OUT_DIR]
# demo.png: the demo running. stalled.png: the sensor's PUBRELs held by a fault rule, so its
# QoS 2 handshakes stall (red rows in the flow inspector, ‖ on the diagram). stalled-dark.png:
# the same with --palette dark.
# Needs xvfb-run and ImageMagick's import (Debian: xvfb, xauth, imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-resources/screenshots}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_RUNTIME_DIR="$work/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

shoot() { # NAME SECONDS ARGS...
    local name=$1 seconds=$2; shift 2
    xvfb-run -a -s "-screen 0 1600x1000x24" bash -c '
        "$0" --settings "$1/settings-$2.ini" --store "$1/store-$2.db" "${@:4}" & app=$!
        sleep "$3"; import -window root "$1/$2.png"; kill $app; wait $app 2>/dev/null || true
    ' "$build/app/mqttscope" "$work" "$name" "$seconds" --demo "$@"
    cp "$work/$name.png" "$out/$name.png"
    echo "saved $out/$name.png"
}

shoot demo 8 --demo-interval 1000
shoot stalled 9 --demo-interval 1500 --demo-fault "hold out PUBREL"
shoot stalled-dark 9 --demo-interval 1500 --demo-fault "hold out PUBREL" --palette dark
