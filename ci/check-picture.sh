#!/usr/bin/env bash
# Checks that a failed run's picture (issue 12: the HTML/SVG sequence diagram a failing
# Sim::run writes and names in its error) renders in a real headless browser.
#
# 1. Installs Debian's `chromium` with apt-get if no chromium is on PATH (as root). When the
#    package mirror cannot be reached, says SKIPPED and exits 0 (the network, not the code).
# 2. Writes the picture of a deliberately failing run — the buggy record server of
#    tests/buggy_servers.rs under seed 11 with delays and losses — into a temporary directory
#    (WINSOCK_SIM_PICTURE_DIR), through the ignored test `write_picture_for_browser` of
#    tests/picture.rs, which prints how many segment arrows, faults and rows the page must hold.
# 3. Renders it with `chromium --headless`: `--dump-dom` (the DOM the browser built must hold
#    the whole SVG: every arrow, fault mark and row) and `--screenshot` (a PNG that must not be
#    blank: several colours, and the fault red among them), checked by ci/check_picture.py
#    (python3, standard library only).
#
# Exit status: 0 when the checks pass or were skipped for want of the package mirror;
# non-zero otherwise. KEEP=dir keeps the picture, DOM and screenshot in `dir`.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'check-picture: %s\n' "$*"; }

browser=""
for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then
        browser=$b
        break
    fi
done
if [[ -z "$browser" ]]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        say "SKIPPED: no chromium on PATH and no apt-get to install it."
        exit 0
    fi
    if [[ $(id -u) -ne 0 ]]; then
        say "needs root to install chromium (or install it yourself and run again)"
        exit 1
    fi
    say "installing chromium"
    log=$(mktemp)
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update -q >"$log" 2>&1 ||
        ! apt-get install -y -q --no-install-recommends chromium >>"$log" 2>&1; then
        if grep -Eq 'Failed to fetch|Temporary failure|Could not resolve|Unable to connect|Connection (timed out|refused|failed)|Network is unreachable|Unable to fetch' "$log"; then
            tail -n 5 "$log"
            say "SKIPPED: apt-get cannot reach the Debian package mirror (network, not code)."
            rm -f "$log"
            exit 0
        fi
        cat "$log"
        rm -f "$log"
        say "apt-get failed (not a network error): see above"
        exit 1
    fi
    rm -f "$log"
    browser=chromium
fi

out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
cleanup() { [[ -n "${KEEP:-}" ]] || rm -rf "$out"; }
trap cleanup EXIT

line=$(WINSOCK_SIM_PICTURE_DIR="$out" cargo test --quiet --test picture -- --ignored \
    --exact write_picture_for_browser --nocapture 2>/dev/null | grep '^picture ' || true)
if [[ -z "$line" ]]; then
    say "the failing run wrote no picture (cargo test --test picture -- --ignored write_picture_for_browser)"
    exit 1
fi
read -r _ path expect <<<"$line"
expect=${expect//$'\n'/}
say "picture: $path ($expect)"

# A throwaway profile, no sandbox (CI runs as root), no GPU; --virtual-time-budget lets the
# page settle before the dump and the screenshot.
flags=(--headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
    "--user-data-dir=$out/profile" --virtual-time-budget=2000)
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$path" >"$out/dom.html" 2>"$out/chromium.log"
timeout 120 "$browser" "${flags[@]}" --window-size=1400,1800 "--screenshot=$out/shot.png" \
    "file://$path" >>"$out/chromium.log" 2>&1
python3 ci/check_picture.py "$out/dom.html" "$out/shot.png" $expect
say "OK: rendered by $("$browser" --version 2>/dev/null | head -n 1)"
