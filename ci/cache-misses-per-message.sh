#!/usr/bin/env bash
# Prints the cache misses per echoed message, in total and by function, the way
# instructions-per-message.sh prints instructions: valgrind's cachegrind simulates a
# first-level data cache and a last-level cache, the echo runs twice (100 and 200 messages per
# client, 64 B each, CLIENTS clients, default 1,000) and the difference divided by the extra
# messages is the marginal count of one message (the run's start and end cancel out).
#
# Why: at 1,000 clients and more a message's time is mostly waiting for memory (the working
# set of thousands of sockets, threads and coroutine stacks outgrows the caches), which an
# instruction count does not see and this VM's perf cannot count (no hardware counters). The
# simulated caches are this host's per core: D1 48 KiB 12-way, and as "LL" the 2 MiB 16-way
# second level (what misses it waits for the shared third level or memory). Simulated caches
# have no prefetcher, so a miss that a prefetch hides in a real run is still counted here.
#
# Rows: a total line (D1 and LL misses a message, reads and writes) then the TOP functions
# by LL misses, for each shape: SHAPES (default "threads-whole iocp-whole"; also
# threads-random, iocp-random). Needs valgrind (Debian: apt-get install valgrind); about a
# minute a shape at 1,000 clients.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-1000}
TOP=${TOP:-12}
SHAPES=${SHAPES:-threads-whole iocp-whole}
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)" >&2; exit 1; }
cargo build --release --example bench --quiet
sim=./target/release/examples/bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One cachegrind run of the bench with M messages per client; its counts in $out/cg.M.
run() {
  local m=$1
  shift
  valgrind --tool=cachegrind --cache-sim=yes --D1=49152,12,64 --LL=2097152,16,64 \
    --cachegrind-out-file="$out/cg.$m" "$sim" "$@" --clients "$CLIENTS" --messages "$m" \
    --bytes 64 >/dev/null 2>"$out/err.$m" || { tail -3 "$out/err.$m" >&2; return 1; }
}
for shape in $SHAPES; do
  case $shape in
    threads-whole) args=(--full-segments) ;;
    threads-random) args=() ;;
    iocp-whole) args=(--model iocp --full-segments) ;;
    iocp-random) args=(--model iocp) ;;
    *) echo "unknown shape $shape" >&2; exit 2 ;;
  esac
  run 100 "${args[@]}"
  run 200 "${args[@]}"
  python3 - "$out/cg.100" "$out/cg.200" "$CLIENTS" "$TOP" "$shape" <<'EOF'
import collections, sys

def per_function(path):
    events, fn, agg = None, None, collections.defaultdict(lambda: collections.Counter())
    for line in open(path):
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("fn="):
            fn = line[3:].strip()
        elif line[:1].isdigit() and fn is not None:
            counts = line.split()[1:]
            for e, v in zip(events, counts):
                agg[fn][e] += int(v)
    return agg

a, b = per_function(sys.argv[1]), per_function(sys.argv[2])
msgs = 100 * int(sys.argv[3])
top, shape = int(sys.argv[4]), sys.argv[5]
keys = ("D1mr", "D1mw", "DLmr", "DLmw")
diff = {}
for fn in set(a) | set(b):
    diff[fn] = {k: (b[fn][k] - a[fn][k]) / msgs for k in keys + ("Ir",)}
total = {k: sum(d[k] for d in diff.values()) for k in keys + ("Ir",)}
print(f"{shape}, {sys.argv[3]} clients x 64 B, per message: {total['Ir']:.0f} instructions; "
      f"D1 misses {total['D1mr']:.1f} read + {total['D1mw']:.1f} write; "
      f"LL (2 MiB) misses {total['DLmr']:.1f} read + {total['DLmw']:.1f} write")
print(f"  {'LL rd':>6} {'LL wr':>6} {'D1 rd':>6} {'D1 wr':>6}  function")
rows = sorted(diff.items(), key=lambda kv: -(kv[1]["DLmr"] + kv[1]["DLmw"]))
for fn, d in rows[:top]:
    name = fn if len(fn) <= 110 else fn[:107] + "..."
    print(f"  {d['DLmr']:6.2f} {d['DLmw']:6.2f} {d['D1mr']:6.2f} {d['D1mw']:6.2f}  {name}")
EOF
done
