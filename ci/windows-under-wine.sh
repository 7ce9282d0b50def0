#!/usr/bin/env bash
# Builds winsock-sim for x86_64-pc-windows-gnu and runs the real-WinSock tests under Wine.
#
# For Debian 12 (bookworm), run as root from anywhere: `bash ci/windows-under-wine.sh`.
# Safe to run again: every step checks whether it is already done.
#
# What it does, and why each step is needed (measured recipe: shared/windows-under-wine.md):
# 1. apt-get installs rustc-web/cargo-web 1.96 (/usr/bin/rustc, /usr/bin/cargo) with the matching
#    std source rust-web-src (for -Zbuild-std: no Debian package ships a prebuilt Windows std for
#    it), its clippy (rust-web-clippy, for `ci/windows-under-wine.sh clippy`: the Windows
#    backend's unsafe code is linted too), the MinGW linker, and wine64. rustup's cargo stays
#    first on PATH for the Linux build: this script calls /usr/bin/cargo by its full path and
#    sets RUSTC only for that call.
# 2. Builds ci/bcryptprimitives.c with MinGW into the Wine prefix: Wine 8.0 has no
#    bcryptprimitives.dll, which every Rust >= 1.78 executable imports (ProcessPrng).
# 3. `wineboot --init` creates the prefix (headless; no X server is needed).
# 4. `cargo test --target x86_64-pc-windows-gnu` for the OS backend's tests only: the simulator's
#    coroutines cannot unwind under Wine 8.0 (see the notes), and the simulator is tested on Linux.
#
# Nothing is written to ~/.cargo/config.toml or the project's .cargo: the Windows build's settings
# are environment variables of this script. The build goes to target/wine so it never disturbs the
# Linux build's target/.
#
# Exit status: 0 when the tests pass (every target printed its result, and the conformance
# suite its os::Native summary), or when apt-get cannot reach the package mirror (that is
# the network, not the code: a clear message says so); non-zero on any build or test failure.
#
# Environment:
# Arguments: none runs the tests; otherwise they are a cargo command run for the Windows
# target with the same settings, e.g. `ci/windows-under-wine.sh build --tests`.
#
#   WINE_TESTS   test targets to run (default: "os_backend conformance_os native_overlapped")
#   WINE_DIR     where the Wine prefix and the stand-in DLL live
#                (default: ${XDG_CACHE_HOME:-$HOME/.cache}/winsock-sim-wine)
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WINE_DIR="${WINE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/winsock-sim-wine}"
WINE_TESTS="${WINE_TESTS:-os_backend conformance_os native_overlapped}"
TARGET=x86_64-pc-windows-gnu
PACKAGES=(rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 wine wine64)
start=$(date +%s)

say() { printf 'windows-under-wine: %s\n' "$*"; }
elapsed() { echo "$(($(date +%s) - start)) s"; }

# --- 1. packages ------------------------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        say "needs root to install: ${missing[*]} (or install them yourself and run again)"
        exit 1
    fi
    say "installing ${missing[*]}"
    log=$(mktemp)
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update -q --error-on=any >"$log" 2>&1 ||
        ! apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >>"$log" 2>&1; then
        if grep -Eq 'Failed to fetch|Temporary failure|Could not resolve|Unable to connect|Connection (timed out|refused|failed)|Network is unreachable|Unable to fetch' "$log"; then
            tail -n 5 "$log"
            say "SKIPPED: apt-get cannot reach the Debian package mirror (network, not code)."
            say "The Windows build under Wine did not run; run this script again when it can."
            rm -f "$log"
            exit 0
        fi
        cat "$log"
        rm -f "$log"
        say "apt-get failed (not a network error): see above"
        exit 1
    fi
    rm -f "$log"
    say "packages installed ($(elapsed))"
fi

# A compiler and a std source of different versions fail inside core (unknown lang items).
v_rustc=$(dpkg-query -W -f='${Version}' rustc-web)
v_src=$(dpkg-query -W -f='${Version}' rust-web-src)
if [[ "$v_rustc" != "$v_src" ]]; then
    say "rustc-web $v_rustc and rust-web-src $v_src differ: install matching versions"
    exit 1
fi

# --- 2. environment for the Windows build only --------------------------------------------------
export WINEPREFIX="$WINE_DIR/prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEARCH=win64

# --- 3. Wine prefix and the bcryptprimitives.dll stand-in ---------------------------------------
mkdir -p "$WINE_DIR"
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    say "creating the Wine prefix $WINEPREFIX"
    wineboot --init >/dev/null 2>&1 || true
    wineserver -w
    [[ -f "$WINEPREFIX/system.reg" ]] || { say "wineboot did not create $WINEPREFIX"; exit 1; }
fi
dll="$WINE_DIR/bcryptprimitives.dll"
if [[ ! -f "$dll" || "$ROOT/ci/bcryptprimitives.c" -nt "$dll" ]]; then
    say "building the bcryptprimitives.dll stand-in"
    x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$dll" "$ROOT/ci/bcryptprimitives.c" -ladvapi32
fi
sys32="$WINEPREFIX/drive_c/windows/system32"
cmp -s "$dll" "$sys32/bcryptprimitives.dll" || cp "$dll" "$sys32/bcryptprimitives.dll"

# --- 4. build and test --------------------------------------------------------------------------
wcargo() {
    # /usr/bin first: cargo's subcommands (cargo-clippy and its clippy-driver, from
    # rust-web-clippy) must be Debian's, which match /usr/bin/rustc, not rustup's proxies.
    env PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
        CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
        CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
        CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine \
        CARGO_TARGET_DIR="$ROOT/target/wine" \
        CARGO_INCREMENTAL=0 \
        CARGO_PROFILE_DEV_DEBUG=line-tables-only \
        CARGO_PROFILE_TEST_DEBUG=line-tables-only \
        /usr/bin/cargo "$@"
}

cd "$ROOT"
if (($#)); then
    # Any other cargo command for the Windows target: `ci/windows-under-wine.sh build --tests`.
    say "cargo $1 --target $TARGET ${*:2}"
    wcargo "$1" --target "$TARGET" "${@:2}"
    exit
fi
args=()
for t in $WINE_TESTS; do args+=(--test "$t"); done
cd "$ROOT"
say "cargo test --target $TARGET ${args[*]} (Windows build under Wine)"
status=0
out="$ROOT/target/wine/last-run.txt"
mkdir -p "$ROOT/target/wine"
# --nocapture: the conformance tables and the recorded known Wine differences are the point.
wcargo test --target "$TARGET" "${args[@]}" -- --nocapture 2>&1 | tee "$out" || status=$?
wineserver -k >/dev/null 2>&1 || true
say "summary:"
grep -E 'rules run|known Wine difference:|^test result' "$out" | sed 's/^/  /' || true
# A test process that Wine ends abruptly (an assertion in Wine's own code, say) may still
# leave cargo with status 0: each target must have printed its result, and the conformance
# suite its os::Native arm.
want=$(wc -w <<<"$WINE_TESTS")
ran=$(grep -c '^test result:' "$out" || true)
if ((ran < want)); then
    say "only $ran of $want test targets printed their result: one ended early (crashed under Wine?)"
    status=1
fi
if [[ " $WINE_TESTS " == *" conformance_os "* ]] && ! grep -q 'os::Native (ws2_32) on Wine: rules run' "$out"; then
    say "the conformance suite printed no os::Native summary: its run ended early"
    status=1
fi
say "done in $(elapsed), exit status $status"
exit "$status"
