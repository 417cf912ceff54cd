#!/usr/bin/env bash
# Starts MQTT Scope on the demo under Xvfb and saves screenshots of the whole screen:
#   resources/take-screenshot.sh [BUILD_DIR] [OUT_DIR]
# demo.png: the demo running. stalled.png: the sensor's PUBRELs held by a fault rule, so its
# QoS 2 handshakes stall (red rows in the Flows tab, ‖ on the diagram), with the sensor's held
# flow selected so the Inspector says what the stall means. stalled-dark.png: the same with
# --palette dark.
# Needs xvfb-run, ImageMagick's import and xdotool (Debian: xvfb, xauth, imagemagick, xdotool).
source "$(dirname "$0")/screenshot-session.sh"
screenshot_session resources/screenshots "$@"

# The Flows tab's second row at 1600×1000: stalled flows come first, the sensor's held one second.
held_row="400 513"

shoot() { # NAME SECONDS CLICK ARGS... (CLICK: "x y" to click before the shot, or "")
    local name=$1 seconds=$2 click=$3; shift 3
    on_screen 1600x1000 bash -c '
        "$0" --settings "$1/settings-$2.ini" --store "$1/store-$2.db" "${@:5}" & app=$!
        sleep "$3"
        if [ -n "$4" ]; then xdotool mousemove $4 click 1 mousemove 800 990; sleep 1; fi
        import -window root "$1/$2.png"; kill $app; wait $app 2>/dev/null || true
    ' "$build/app/mqttscope" "$work" "$name" "$seconds" "$click" --demo "$@"
    keep_screenshot "$name"
}

shoot demo 8 "" --demo-interval 1000
shoot stalled 9 "$held_row" --demo-interval 1500 --demo-fault "hold out PUBREL"
shoot stalled-dark 9 "$held_row" --demo-interval 1500 --demo-fault "hold out PUBREL" --palette dark
