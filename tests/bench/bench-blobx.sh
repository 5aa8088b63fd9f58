#!/usr/bin/env bash
# Blob replication (issue 6): 2,000 sentence-sized blobs (4,000 B, about
# 1.3 s of 24 kbit/s Opus) and one 32 MiB blob copied between two
# in-process nodes over 127.0.0.1 (node/blobx.c, real stores and SHS).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
make -s "$BUILD/bench-blobx" >/dev/null
"$BUILD/bench-blobx" 2000 4000 32 2>/dev/null | while read -r what n size s bps mbps; do
  echo "blobx $what: $n x $size B in ${s}s: $bps blobs/s, $mbps MB/s"
done
