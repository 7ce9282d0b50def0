#!/usr/bin/env bash
# Prints the trace hash of every example and of the benchmark, one line each, so a refactor
# can be checked to be pure: run it before and after and diff the output.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --examples --quiet
for ex in echo select_echo async_select_echo event_select_echo overlapped_event_echo \
          overlapped_routine_echo iocp_echo; do
  for seed in 1 2 3; do
    h=$(./target/release/examples/$ex --seed $seed 2>&1 | sed -n 's/.*trace hash *//p')
    echo "$ex seed=$seed $h"
  done
done
h=$(./target/release/examples/bench 2>&1 | sed -n 's/.*trace hash *//p' | tr '\n' ' ')
echo "bench $h"
h=$(./target/release/examples/bench --model iocp 2>&1 | sed -n 's/.*trace hash *//p' | tr '\n' ' ')
echo "bench-iocp $h"
cargo test --quiet --test determinism -- --ignored --nocapture print_scenario_hashes 2>/dev/null \
  | grep '^determinism'
