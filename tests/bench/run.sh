#!/usr/bin/env bash
# Benchmarks (make bench). Each section prints the figures it measured in
# this run; record them in docs/PERFORMANCE.md with the command used.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}

# Transport: secret handshakes and secretstream frames, in process.
echo "== transport (crypto/shs.c, crypto/frames.c)"
make --no-print-directory -s "$BUILD/shs-peer"
"$BUILD/shs-peer" bench
