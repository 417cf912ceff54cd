#!/usr/bin/env bash
# Saves the README's payload-decoding screenshots, made by the shot_decoders program under Xvfb
# at 1600×1000 and 1366×768 (a common laptop), to check that no label is cut:
#   resources/take-decoder-screenshots.sh [BUILD_DIR] [OUT_DIR]
# decoded-message-WxH.png: the Messages view with a CBOR payload decoded by a rule;
# sparkplug-WxH.png: a Sparkplug B NDATA with its metrics named from the NBIRTH;
# sparkplug-template-WxH.png: that NBIRTH, with a Template's parameters and members;
# decoder-table-WxH.png: the decoder table with its rules and schema folders.
# Needs xvfb-run (Debian: xvfb, xauth). Build the target first: cmake --build build --target shot_decoders
source "$(dirname "$0")/screenshot-session.sh"
screenshot_session resources/screenshots "$@"
for size in 1600x1000 1366x768; do
    on_screen "$size" "$build/tests/ui/shot_decoders" "$out" "${size%x*}" "${size#*x}"
    echo "saved $out/{decoded-message,sparkplug,sparkplug-template,decoder-table}-$size.png"
done
