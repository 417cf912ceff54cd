#!/usr/bin/env bash
# A headless `mqttscope-cli sub` under load: RATE QoS 0 messages/s (bench_load) through a real
# mosquitto for SECONDS, its resident memory sampled every second. The CLI keeps no trace in
# memory, so it must stay flat. Prints `name value` lines.
# Usage: bench_cli_sub_memory.sh CLI BENCH_LOAD [SECONDS=60] [RATE=10000]
set -euo pipefail
cli=$1 load=$2 seconds=${3:-60} rate=${4:-10000}
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
dir=$(mktemp -d)
chmod 777 "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\nuser root\nmax_queued_messages 0\n' "$port" >"$dir/mosquitto.conf"
"$mosquitto" -c "$dir/mosquitto.conf" >/dev/null 2>&1 &
broker=$!
sub=
cleanup() { kill "$broker" ${sub:+"$sub"} 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
sleep 0.5
"$cli" sub -p "$port" -t 'sensors/#' -q 0 >/dev/null 2>&1 &
sub=$!
sleep 1
"$load" "$port" "$rate" "$seconds" >"$dir/load.txt" &
publisher=$!
for _ in $(seq "$seconds"); do
    sleep 1
    awk '/VmRSS/ {print $2 / 1024}' "/proc/$sub/status"
done >"$dir/rss.txt"
wait "$publisher"
echo "cli_sub_rss_mb_after_5s $(sed -n 5p "$dir/rss.txt")"
echo "cli_sub_rss_mb_end $(tail -n 1 "$dir/rss.txt")"
echo "cli_sub_rss_mb_peak $(sort -n "$dir/rss.txt" | tail -n 1)"
echo "messages_published $(awk '{print $2}' "$dir/load.txt")"
