#!/usr/bin/env bash
# `cmake --install` puts both programs, the .desktop file and the icon where a desktop finds
# them, and the installed programs run. Usage: check_install.sh BUILD_DIR
set -euo pipefail
build=$1
# Into the build tree, not /tmp: a CI machine's /tmp may be a small tmpfs, and the two programs with
# their debug information are 200 MB. --strip is what a packager installs, and 5 MB instead of 215.
prefix="$build/install-check"
rm -rf "$prefix"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" --strip >/dev/null
fail() { echo "install: $*" >&2; exit 1; }
for f in bin/mqttscope bin/mqttscope-cli share/applications/mqttscope.desktop \
         share/icons/hicolor/scalable/apps/mqttscope.svg; do
    [ -s "$prefix/$f" ] || fail "$f is missing or empty"
done
[ -x "$prefix/bin/mqttscope" ] && [ -x "$prefix/bin/mqttscope-cli" ] || fail "the programs are not executable"
desktop=$prefix/share/applications/mqttscope.desktop
for line in '[Desktop Entry]' 'Type=Application' 'Name=MQTT Scope' 'Exec=mqttscope' 'Icon=mqttscope'; do
    grep -qxF "$line" "$desktop" || fail "the .desktop file lacks '$line'"
done
grep -q '<svg' "$prefix/share/icons/hicolor/scalable/apps/mqttscope.svg" || fail "the icon is not an SVG"
version=$("$prefix/bin/mqttscope-cli" --version)
[ "$version" = "mqttscope-cli 0.1.0" ] || fail "installed mqttscope-cli says '$version'"
QT_QPA_PLATFORM=offscreen "$prefix/bin/mqttscope" --version 2>/dev/null | grep -qx 'mqttscope 0.1.0' \
    || fail "installed mqttscope does not start"
echo "installed and runnable under $prefix"
