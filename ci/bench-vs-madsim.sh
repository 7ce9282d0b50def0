#!/usr/bin/env bash
# Runs the echo benchmark on winsock-sim, on madsim (bench/madsim-echo, a package of its own:
# madsim is not a dependency of winsock-sim) and on the host's real loopback TCP with OS
# threads (bench/loopback-echo, std only) at 100, 1,000 and 10,000 clients × 64 B messages,
# and prints messages per second and peak memory of each side, measured in the same run.
#
# winsock-sim runs in both of its bench's shapes: a thread per connection (`threads`, shaped
# as the madsim and loopback programs) and a completion port (`iocp`: one worker per CPU and
# one client thread, as Windows servers hold many connections); each with the benchmark's
# default, random segmentation (a send may leave in several segments of seed-chosen sizes, as
# a bug-finding device; a SimBuilder's own default is whole segments) and with whole
# segments (`-mss`, --full-segments: a 64-byte send is one segment, as on real loopback TCP
# and as madsim delivers a write: the like-for-like comparison).
#
# Wall times on a shared machine vary by ±30 %, and the host's speed drifts over minutes, so:
# - each round runs every side once, one after the other (the rounds interleave the sides),
#   so that a slow minute slows all sides alike instead of one side's every round, and each
#   round starts one side further on (no side always runs first);
# - the figure compared is messages per CPU-second: the process's task-clock from
#   `perf stat` (nanoseconds, all threads) where perf works, else user + system time from
#   /usr/bin/time (10 ms steps); best of ROUNDS (default 3), and (last two columns) the
#   median over the rounds of the side's figure divided by madsim's, and by real TCP's, in
#   the same round;
# - at 100 clients each side sends 300,000 messages (100,000 at 1,000 and 10,000), so that
#   the fastest run still takes about a quarter of a second.
#
# The last lines judge each winsock-sim side against issue 13's goals on this run's medians:
# twice madsim's messages per CPU-second and five times real TCP's at every scale, and at
# 10,000 clients a peak memory no higher than madsim's; a goal not met is marked (MISSED).
# All three programs are built with the same release profile (fat LTO, one codegen unit).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
cargo build --release --example bench --quiet
(cd bench/madsim-echo && RUSTFLAGS="--cfg madsim" cargo build --release --quiet)
(cd bench/loopback-echo && cargo build --release --quiet)
sim=./target/release/examples/bench
mad=./bench/madsim-echo/target/release/madsim-echo
tcp=./bench/loopback-echo/target/release/loopback-echo
time_file=$(mktemp)
perf_file=$(mktemp)
err_file=$(mktemp)
trap 'rm -f "$time_file" "$perf_file" "$err_file"' EXIT
use_perf=false
if perf stat -x, -e task-clock -o "$perf_file" true 2>/dev/null; then
  use_perf=true
fi
sides=(winsock-sim winsock-sim-mss winsock-sim-iocp winsock-sim-iocp-mss madsim loopback-tcp)
command_of() {
  case $1 in
    winsock-sim) echo "$sim" ;;
    winsock-sim-mss) echo "$sim --full-segments" ;;
    winsock-sim-iocp) echo "$sim --model iocp" ;;
    winsock-sim-iocp-mss) echo "$sim --model iocp --full-segments" ;;
    madsim) echo "$mad" ;;
    *) echo "$tcp" ;;
  esac
}
field() { sed -n "s/^ *$1 *//p" | sed 's/ .*//'; }
echo "CPU time from: $($use_perf && echo 'perf stat task-clock' || echo '/usr/bin/time')"
printf '%-8s %-20s %14s %14s %16s %10s %10s %10s\n' clients side "best msgs/s" "median msgs/s" \
  "best msgs/CPU-s" "peak KiB" "÷ madsim" "÷ TCP"
# One run of `side`: prints "wall-msgs/s cpu-msgs/s peak-KiB", or fails (its stderr's last
# line then goes to ours: a real-TCP run can fail on a host short of ports or backlog).
run_side() {
  local side=$1 clients=$2 messages=$3 cmd out secs
  cmd=$(command_of "$side")
  if $use_perf; then
    out=$(perf stat -x, -e task-clock -o "$perf_file" $cmd --clients "$clients" \
      --messages "$messages" --bytes 64 2>"$err_file") || { tail -1 "$err_file" >&2; return 1; }
    # task-clock in milliseconds, all threads of the process.
    secs=$(awk -F, '$3 == "task-clock" { printf "%.6f", $1 / 1000 }' "$perf_file")
  else
    out=$(/usr/bin/time -f 'cpu %U %S' -o "$time_file" $cmd --clients "$clients" \
      --messages "$messages" --bytes 64 2>"$err_file") || { tail -1 "$err_file" >&2; return 1; }
    secs=$(awk '/^cpu/ { printf "%.6f", $2 + $3 }' "$time_file")
  fi
  # The bench programs report their own peak (VmHWM).
  echo "$(echo "$out" | field 'messages\/s')" \
    "$(awk -v m=$((clients * messages)) -v c="$secs" 'BEGIN {
      if (c < 0.01) c = 0.01; printf "%.0f", m / c }')" \
    "$(echo "$out" | field 'peak memory')"
}
# The median over the rounds of side $1's msgs/CPU-s divided by side $2's in the same round
# (rounds where either failed are skipped; "-" when none is left): each ratio compares two
# runs made seconds apart, which the host's drift over the whole run does not skew.
paired() {
  local round a b r
  for round in $(seq "$ROUNDS"); do
    [ -n "${runs[$1,$round]:-}" ] && [ -n "${runs[$2,$round]:-}" ] || continue
    read -r _ a _ <<<"${runs[$1,$round]}"
    read -r _ b _ <<<"${runs[$2,$round]}"
    awk -v a="$a" -v b="$b" 'BEGIN { print a / b }'
  done | median | awk '$1 == "-" { print; next } { printf "%.2f\n", $1 }'
}
# The median of the numbers on stdin ("-" when there are none).
median() {
  sort -g | awk '{ r[NR] = $1 } END { if (NR == 0) { print "-"; exit }
    m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; print m }'
}
declare -A ratios=() peaks=()
for clients in 100 1000 10000; do
  total=$([ "$clients" -eq 100 ] && echo 300000 || echo 100000)
  messages=$((total / clients))
  # "side,round" -> "wall-msgs/s cpu-msgs/s peak-KiB"; a failed run has no entry.
  declare -A runs=()
  for round in $(seq "$ROUNDS"); do
    # Each round starts one side further on, so that no side always runs first or last in
    # its round (on this host the same binary's runs seconds apart differ by up to 2x).
    n=${#sides[@]}
    for k in $(seq 0 $((n - 1))); do
      side=${sides[$(((round - 1 + k) % n))]}
      if r=$(run_side "$side" "$clients" "$messages"); then
        runs[$side,$round]=$r
      else
        echo "($side, $clients clients, round $round: the run failed; left out)" >&2
      fi
    done
  done
  for side in "${sides[@]}"; do
    walls=() cpus=() peak=0
    for round in $(seq "$ROUNDS"); do
      [ -n "${runs[$side,$round]:-}" ] || continue
      read -r wall cpu p <<<"${runs[$side,$round]}"
      walls+=("$wall"); cpus+=("$cpu")
      [ "${p:-0}" -gt "$peak" ] && peak=$p
    done
    if [ ${#walls[@]} -eq 0 ]; then
      printf '%-8s %-20s %14s\n' "$clients" "$side" "every run failed"
      continue
    fi
    best=$(printf '%s\n' "${walls[@]}" | sort -n | tail -1)
    med=$(printf '%s\n' "${walls[@]}" | median)
    cpu_best=$(printf '%s\n' "${cpus[@]}" | sort -n | tail -1)
    vs_madsim=$(paired "$side" madsim)
    vs_tcp=$(paired "$side" loopback-tcp)
    printf '%-8s %-20s %14s %14.0f %16s %10s %10s %10s\n' "$clients" "$side" "$best" "$med" \
      "$cpu_best" "$peak" "$vs_madsim" "$vs_tcp"
    ratios[$side,$clients]="$vs_madsim $vs_tcp"
    peaks[$side,$clients]=$peak
  done
  unset runs
done

# Issue 13's goals, judged on this run's medians: twice madsim's messages per CPU-second and
# five times real TCP's at every scale, and at 10,000 clients a peak memory no higher than
# madsim's. One line per winsock-sim side; a goal's figure is marked `ok` or `MISSED`.
verdict() {
  awk -v x="$1" -v goal="$2" -v of="$3" 'BEGIN {
    if (x == "" || x == "-") { printf "- %s (no figure)", of; exit }
    printf "%s× %s%s", x, of, (x + 0 >= goal) ? "" : " (MISSED)" }'
}
echo
echo "Issue 13's goals in this run (≥ 2× madsim, ≥ 5× TCP; at 10,000 clients memory ≤ madsim's):"
for side in "${sides[@]}"; do
  case $side in madsim | loopback-tcp) continue ;; esac
  line=$(printf '%-20s' "$side")
  for clients in 100 1000 10000; do
    read -r m t <<<"${ratios[$side,$clients]:-- -}"
    line+=" $clients: $(verdict "$m" 2 madsim), $(verdict "$t" 5 TCP);"
  done
  mem=${peaks[$side,10000]:-0}
  mad=${peaks[madsim,10000]:-0}
  if [ "$mem" -gt 0 ] && [ "$mad" -gt 0 ]; then
    line+=" memory $mem KiB, madsim $mad$([ "$mem" -le "$mad" ] || echo ' (MISSED)')"
  fi
  echo "$line"
done
