#!/usr/bin/env bash
# make bench: runs every tests/bench/bench-*.sh in turn. Each prints its own
# figures and the ratios it measured in the same run; docs/PERFORMANCE.md
# records them with the command that produced them.
set -euo pipefail
cd "$(dirname "$0")/../.."
shopt -s nullglob
benches=(tests/bench/bench-*.sh)
if ((${#benches[@]} == 0)); then
  echo "bench: no benchmarks yet"
  exit 0
fi
for b in "${benches[@]}"; do
  echo "== $b"
  bash "$b"
done
