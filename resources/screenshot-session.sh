# Sourced by the take-*screenshot*.sh scripts: the common start of a session on a virtual screen,
# so each script says only what it shows. Call `screenshot_session DEFAULT_OUT "$@"` first; after it
#   $build  the build folder (the script's first argument, default "build"), absolute
#   $out    where the pictures go (its second argument, default DEFAULT_OUT), created
#   $work   a scratch folder, removed on exit, that holds HOME and XDG_RUNTIME_DIR so that no
#           user's settings are read or written
# Needs xvfb-run (Debian: xvfb, xauth) and, for save_screen, ImageMagick's import.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

screenshot_cleanup=()

# Runs `$1` when the script ends, before the scratch folder goes (a broker to stop, say).
on_exit() { screenshot_cleanup+=("$1"); }

screenshot_end() {
    local step
    for step in "${screenshot_cleanup[@]}"; do eval "$step" || true; done
    rm -rf "$work"
}

screenshot_session() { # DEFAULT_OUT [BUILD_DIR] [OUT_DIR]
    build=$(realpath "${2:-build}")
    out=${3:-$1}
    mkdir -p "$out"
    work=$(mktemp -d)
    trap screenshot_end EXIT
    export HOME="$work/home" XDG_RUNTIME_DIR="$work/run"
    mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
}

# Runs a command on a fresh virtual screen of WIDTHxHEIGHT (24-bit colour), ended with it.
on_screen() { # WIDTHxHEIGHT COMMAND...
    local size=$1; shift
    xvfb-run -a -s "-screen 0 ${size}x24" "$@"
}

# Copies $work/NAME.png (taken inside on_screen with `import -window root`) to $out and says so.
keep_screenshot() { # NAME
    cp "$work/$1.png" "$out/$1.png"
    echo "saved $out/$1.png"
}
