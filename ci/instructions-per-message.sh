#!/usr/bin/env bash
# Prints the instructions per echoed message that the README's *Speed* tables give, measured
# the way they were: valgrind's callgrind counts every instruction the process executes, the
# echo runs twice (100 and 200 messages per client, 64 B each, CLIENTS clients, default 100),
# and the difference divided by the extra messages is the marginal cost of one message (the
# run's start and end cancel out). Unlike wall time (±30 % on this host), the counts repeat
# to within a few instructions.
#
# Rows: winsock-sim's bench in both shapes (a thread per connection, and a completion port),
# each with random segmentation (the bench's default) and whole segments (--full-segments),
# then the two with whole segments and the trace off (`--no-trace`), then madsim's echo
# (bench/madsim-echo, built with RUSTFLAGS="--cfg madsim"; skipped with
# MADSIM=0). Beside the instructions, the same marginal count a message of what the
# simulator did (from the bench's report): segments delivered, WinSock calls and thread
# switches, which tell a change in the work done from a change in its cost. Needs valgrind
# (Debian: apt-get install valgrind). Takes under half a minute at 100 clients.
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
# Total instructions of one run of "$@" with M messages per client; the run's own report
# (the simulator's counts of segments, calls and thread switches) is kept in $out/out.M.
total() {
  local m=$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$m" "$@" --clients "$CLIENTS" \
    --messages "$m" --bytes 64 >"$out/out.$m" 2>"$out/err.$m" ||
    { tail -3 "$out/err.$m" >&2; return 1; }
  awk '/^(summary|totals):/ { print $2; exit }' "$out/cg.$m"
}
# The marginal count a message of the report's line `name` (a dash where the run printed
# none: madsim's echo keeps no such counts).
per_msg() {
  awk -v n="$1" -v c="$CLIENTS" '
    FILENAME != file { f++; file = FILENAME }
    $1 == n || $1 " " $2 == n { v[f] = $NF }
    END {
      if (v[1] == "" || v[2] == "") print "-"
      else printf "%.2f", (v[2] - v[1]) / (100 * c)
    }' "$out/out.100" "$out/out.200"
}
row() {
  local label=$1 a b
  shift
  a=$(total 100 "$@")
  b=$(total 200 "$@")
  awk -v l="$label" -v a="$a" -v b="$b" -v c="$CLIENTS" -v s="$(per_msg segments)" \
    -v k="$(per_msg calls)" -v w="$(per_msg "thread switches")" \
    'BEGIN { printf "%-34s %10.0f %9s %9s %9s\n", l, (b - a) / (100 * c), s, k, w }'
}
printf '%-34s %10s %9s %9s %9s\n' "echo, $CLIENTS clients × 64 B" "instr/msg" "segments" \
  "calls" "switches"
row "threads, random segmentation" "$sim"
row "threads, whole segments" "$sim" --full-segments
row "iocp, random segmentation" "$sim" --model iocp
row "iocp, whole segments" "$sim" --model iocp --full-segments
# The same two shapes with whole segments and the trace off (SimBuilder::trace(false)).
row "threads, whole segments, no trace" "$sim" --full-segments --no-trace
row "iocp, whole segments, no trace" "$sim" --model iocp --full-segments --no-trace
if [ "${MADSIM:-1}" != 0 ]; then
  row "madsim" "$mad"
fi
