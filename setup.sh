#!/usr/bin/env bash
# MQTT Scope: set up a fresh Debian 12 machine, build, and run the app or the tests.
#   ./setup.sh run [ARGS...]   install what is missing, build, start the GUI (the demo by default)
#   ./setup.sh test            install what is missing, build, run the test suite (CTest)
#   ./setup.sh build           install what is missing and build only
# Environment: BUILD_DIR (default build), JOBS (default: number of cores).
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}

# Debian 12 packages: build tools, Qt 6.4 modules, libpcap, the payload decoders (Protobuf at run
# time, MessagePack), and what the tests run against.
PACKAGES=(
  build-essential cmake pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-svg-dev qt6-websockets-dev qt6-charts-dev
  qtkeychain-qt6-dev libgl-dev libpcap-dev libmosquitto-dev libbenchmark-dev
  libprotobuf-dev libprotoc-dev libmsgpack-cxx-dev
  fonts-dejavu-core openssl clang libclang-rt-14-dev
  mosquitto mosquitto-clients tshark xvfb xauth imagemagick
)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  # tshark asks whether non-root users may capture; answer "no" without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  cmake --build "$BUILD_DIR" --parallel "$JOBS"
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
  build) install_packages; build ;;
  run)
    install_packages; build
    exec "$BUILD_DIR/app/mqttscope" "$@" ;;
  test)
    install_packages; build
    # Benchmarks carry the label "bench" and are run by hand (tests/bench/README.md).
    cd "$BUILD_DIR" && exec ctest --output-on-failure --timeout 300 -LE bench -j "$JOBS" "$@" ;;
  *) echo "usage: $0 run [ARGS...] | test [CTEST ARGS...] | build" >&2; exit 2 ;;
esac
