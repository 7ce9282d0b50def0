#!/usr/bin/env bash
# Prints the instructions per echoed message that the README's *Speed* tables give, measured
# the way they were: valgrind's callgrind counts every instruction the process executes, the
# echo runs twice (100 and 200 messages per client, 64 B each, CLIENTS clients, default 100),
# and the difference divided by the extra messages is the marginal cost of one message (the
# run's start and end cancel out). Unlike wall time (±30 % on this host), the counts repeat
# to within a few instructions.
#
# Rows: winsock-sim's bench in both shapes (a thread per connection, and a completion port),
# each with random segmentation (the default) and whole segments (--full-segments), then
# madsim's echo (bench/madsim-echo, built with RUSTFLAGS="--cfg madsim"; skipped with
# MADSIM=0). Needs valgrind (Debian: apt-get install valgrind). Takes about two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-100}
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 1; }
cargo build --release --example bench --quiet
sim=./target/release/examples/bench
mad=./bench/madsim-echo/target/release/madsim-echo
if [ "${MADSIM:-1}" != 0 ]; then
  (cd bench/madsim-echo && RUSTFLAGS="--cfg madsim" cargo build --release --quiet)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Total instructions of one run of "$@" with M messages per client.
total() {
  local m=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$m" "$@" --clients "$CLIENTS" \
    --messages "$m" --bytes 64 >/dev/null 2>"$out/err.$m" ||
    { tail -3 "$out/err.$m" >&2; return 1; }
  awk '/^(summary|totals):/ { print $2; exit }' "$out/cg.$m"
}
row() {
  local label=$1 a b
  shift
  a=$(total 100 "$@")
  b=$(total 200 "$@")
  awk -v l="$label" -v a="$a" -v b="$b" -v c="$CLIENTS" \
    'BEGIN { printf "%-34s %10.0f\n", l, (b - a) / (100 * c) }'
}
printf '%-34s %10s\n' "echo, $CLIENTS clients × 64 B" "instr/msg"
row "threads, random segmentation" "$sim"
row "threads, whole segments" "$sim" --full-segments
row "iocp, random segmentation" "$sim" --model iocp
row "iocp, whole segments" "$sim" --model iocp --full-segments
if [ "${MADSIM:-1}" != 0 ]; then
  row "madsim" "$mad"
fi
