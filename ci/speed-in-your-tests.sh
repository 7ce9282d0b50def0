#!/usr/bin/env bash
# How fast the simulator runs in a user's own `cargo test`, where Cargo builds dependencies
# without optimisation (the dev profile, opt-level 0) unless the user's Cargo.toml says
# otherwise. Builds a scratch crate outside this repository that depends on winsock-sim by
# path and holds the echo benchmark's code (examples/bench, unoptimised as a user's own code
# is), three ways:
#   default     no profile settings: everything at opt-level 0;
#   sim -O3     [profile.dev.package.winsock-sim] opt-level = 3;
#   deps -O3    that, and [profile.dev.package."*"] opt-level = 3 (generator, proptest, ...);
# and prints, for each, the clean build time and the echo's messages per second in both of
# the bench's shapes (best of ROUNDS runs, default 3; 100 clients × 1,000 messages of 64 B).
# The test profile inherits the dev profile's package settings, so `cargo test` runs what the
# dev build measures. Takes about three minutes. Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
ROUNDS=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cp examples/bench/*.rs "$work/src/"
manifest() {
  cat <<EOF
[package]
name = "user-tests"
version = "0.1.0"
edition = "2021"

[dependencies]
winsock-sim = { path = "$repo" }
EOF
  case $1 in
    sim | deps) printf '\n[profile.dev.package.winsock-sim]\nopt-level = 3\n' ;;
  esac
  case $1 in
    deps) printf '\n[profile.dev.package."*"]\nopt-level = 3\n' ;;
  esac
}
# Best messages/s over ROUNDS runs of the dev build in $work/target.$1, shape $2.
best() {
  local r m b=0
  for ((r = 0; r < ROUNDS; r++)); do
    m=$("$work/target.$1/debug/user-tests" --model "$2" --clients 100 --messages 1000 |
      awk '/messages\/s/ { print $2 }')
    ((m > b)) && b=$m
  done
  echo "$b"
}
printf '%-10s %12s %16s %16s\n' profile "clean build" "threads msg/s" "iocp msg/s"
for v in default sim deps; do
  manifest "$v" >"$work/Cargo.toml"
  start=$(date +%s.%N)
  (cd "$work" && CARGO_TARGET_DIR="$work/target.$v" cargo build --quiet)
  end=$(date +%s.%N)
  label=$v
  [ "$v" = sim ] && label="sim -O3"
  [ "$v" = deps ] && label="deps -O3"
  printf '%-10s %11.0fs %16s %16s\n' "$label" "$(echo "$end - $start" | bc)" \
    "$(best "$v" threads)" "$(best "$v" iocp)"
done
