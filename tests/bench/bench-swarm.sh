#!/usr/bin/env bash
# Swarm connection layer: connection setup and bulk throughput over
# 127.0.0.1 (node/peer.c, node/swarm.c).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
echo "swarm (node/peer.c, node/swarm.c)"
make --no-print-directory -s "$BUILD/bench-swarm"
"$BUILD/bench-swarm"
