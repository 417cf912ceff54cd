#!/usr/bin/env bash
# Screenshots of the Tools menu's windows under Xvfb, on the demo's sandbox broker and a local
# mosquitto (Debian's package) on a free loopback port:
#   resources/take-tool-screenshots.sh [BUILD_DIR] [OUT_DIR] [WIDTHxHEIGHT]
# scenario.png: Tools ▸ Run scenario… on a scenario whose display drops its third PUBLISH by a
# fault rule, so its expectation fails red and selects the flow. probe.png: Tools ▸ Probe broker…
# after a run against mosquitto. Needs xvfb-run, ImageMagick's import, xdotool and mosquitto.
source "$(dirname "$0")/screenshot-session.sh"
screenshot_session resources/screenshots "$@"
screen=${3:-1600x1000}
on_exit 'kill ${broker:-} 2>/dev/null'

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$port" > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" >/dev/null 2>&1 & broker=$!

cat > "$work/dropped-reading.json" <<'JSON'
{
  "name": "Five readings reach the display exactly once",
  "clients": {
    "thermostat": { "url": "${BROKER_URL}", "clientId": "shot-thermostat" },
    "display": { "url": "${BROKER_URL}", "clientId": "shot-display" }
  },
  "steps": [
    { "do": "connect", "client": "display" },
    { "do": "subscribe", "client": "display", "topic": "shot/readings", "qos": 2 },
    { "do": "fault", "client": "display", "rule": "drop in PUBLISH every 3 limit 1", "name": "lose the third" },
    { "do": "connect", "client": "thermostat" },
    { "do": "publish", "client": "thermostat", "topic": "shot/readings", "qos": 2, "count": 5, "intervalMs": 100,
      "template": "{\"seq\": {{seq}}, \"t\": {{walk 21.5 ±0.2}}}" },
    { "expect": "received", "client": "display", "seq": "1..5", "exactlyOnce": true, "withinMs": 3000 },
    { "expect": "violation", "client": "thermostat", "rule": null, "withinMs": 1000 }
  ]
}
JSON

# Starts the window on the demo, runs KEYS (an xdotool script), waits, and saves the screen.
shoot() { # NAME SECONDS-AFTER KEYS...
    local name=$1 after=$2; shift 2
    on_screen "$screen" bash -c '
        "$0" --settings "$1/settings-$2.ini" --store "$1/store-$2.db" --demo --demo-interval 3000 & app=$!
        sleep 6
        # No window manager: keys go to the window under the pointer, and dialogs open centred.
        xdotool mousemove $(( ${4%x*} / 2 )) $(( ${4#*x} - 8 )) click 1
        xdotool search --name "MQTT Scope" windowfocus 2>/dev/null || true
        xdotool mousemove $(( ${4%x*} / 2 )) $(( ${4#*x} / 2 ))
        for step in "${@:5}"; do eval "$step"; sleep 2; done
        sleep "$3"
        import -window root "$1/$2.png"; kill $app; wait $app 2>/dev/null || true
    ' "$build/app/mqttscope" "$work" "$name" "$after" "$screen" "$@"
    keep_screenshot "$name"
}

shoot scenario 8 \
    "xdotool key ctrl+shift+r" \
    "xdotool type --delay 20 '$work/dropped-reading.json'; xdotool key Return" \
    "xdotool key Return"
shoot probe 75 \
    "xdotool key ctrl+shift+b" \
    "xdotool search --name 'Probe broker' windowfocus; xdotool key ctrl+a; xdotool type --delay 20 'mqtt://127.0.0.1:$port'; xdotool key alt+r"
