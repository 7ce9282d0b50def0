#!/usr/bin/env bash
# Keeps a run as a fixture replayed on every `cargo test`: appends "<name> <replay>" (with an
# optional comment) to fixtures/replays.txt. A failed run prints this command ready to paste
# ("keep it as a fixture"); <name> is the scenario the fixture test replays it under
# (tests/regressions.rs, replay_fault_fixtures).
# Usage: ci/add-fixture.sh <name> '<replay>' ['why it is kept']
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: $0 <name> '<replay>' ['why it is kept']" >&2
  exit 2
fi
f=fixtures/replays.txt
{
  echo
  if [ $# -ge 3 ]; then echo "# $3"; fi
  echo "$1 $2"
} >> "$f"
echo "added to $f: $1 $2"
