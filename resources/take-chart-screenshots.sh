#!/usr/bin/env bash
# Screenshots of the Charts tab (three live series; a field with one reading) and the Search tab
# (a field condition's hits; a search without any, its Export menu open) under Xvfb, at 1600×1000
# and 1366×768:
#   resources/take-chart-screenshots.sh [BUILD_DIR] [OUT_DIR]
# Needs xvfb-run and ImageMagick's import (Debian: xvfb, xauth, imagemagick).
source "$(dirname "$0")/screenshot-session.sh"
screenshot_session docs "$@"

shoot() { # MODE WIDTH HEIGHT NAME
    local mode=$1 width=$2 height=$3 name=$4 seconds=14
    on_screen "${width}x${height}" bash -c '
        "$0" "$1" "$2" "$3" & app=$!
        sleep $(( $2 - 2 ))
        import -window root "$4"; wait $app 2>/dev/null || true
    ' "$build/tests/ui/show_charts" "$mode" "$seconds" "${width}x${height}" "$work/$name.png"
    keep_screenshot "$name"
}

shoot chart 1600 1000 chart
shoot search 1600 1000 search
shoot chart 1366 768 chart-1366
shoot search 1366 768 search-1366
shoot chart1 1600 1000 chart-one-point
shoot chart1 1366 768 chart-one-point-1366
shoot search-export 1600 1000 search-export
shoot search-export 1366 768 search-export-1366
