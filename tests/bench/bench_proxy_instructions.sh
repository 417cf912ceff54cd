#!/bin/sh
# Runs bench_proxy_instructions under callgrind and prints the proxy thread's instructions per
# forwarded packet (user space; the dump of the thread that ran Proxy::framePackets).
# Usage: bench_proxy_instructions.sh PATH/TO/bench_proxy_instructions [BATCHES]
set -e
driver=$1
batches=${2:-1000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/callgrind.out" \
    "$driver" "$batches" >"$dir/stdout" 2>"$dir/stderr" || { cat "$dir/stderr" >&2; exit 1; }
cat "$dir/stdout"
packets=$(awk '$1 == "proxy_forwarded_packets" { print $2 }' "$dir/stdout")
for dump in "$dir"/callgrind.out*; do
    grep -q '^desc: Trigger: Client Request: proxy load' "$dump" || continue
    grep -q 'Proxy::framePackets' "$dump" || continue
    instructions=$(awk '$1 == "summary:" || $1 == "totals:" { print $2; exit }' "$dump")
    echo "proxy_instructions $instructions"
    awk -v i="$instructions" -v p="$packets" 'BEGIN { printf "proxy_instructions_per_packet %.0f\n", i / p }'
    exit 0
done
echo "bench_proxy_instructions.sh: no dump of the proxy thread" >&2
exit 1
