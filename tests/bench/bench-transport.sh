#!/usr/bin/env bash
# Transport: secret handshakes and secretstream frames, in process.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
echo "transport (crypto/shs.c, crypto/frames.c)"
make --no-print-directory -s "$BUILD/shs-peer"
"$BUILD/shs-peer" bench
