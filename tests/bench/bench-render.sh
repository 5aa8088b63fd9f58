#!/usr/bin/env bash
# Render (issue 4): synthesis + Opus encode + store, 1 core and 2 workers,
# against the espeak-ng -w + opusenc command line, measured in one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}

# ---- render: synthesis + Opus encode + store ------------------------------
# A 10,000-word text, sentence by sentence: in-process on one core, then
# with 2 worker processes; and the espeak-ng -w + opusenc command-line
# pipeline on the same text, for comparison.
bench_render() {
  local t words=10000 one two cli
  t=$(mktemp -d)
  "$BUILD/bench-render" gen "$t/text.txt" $words
  one=$("$BUILD/bench-render" run "$t/text.txt" 0 2>/dev/null)
  two=$("$BUILD/bench-render" run "$t/text.txt" 2 2>/dev/null)
  local s0 s1
  s0=$(date +%s.%N)
  espeak-ng -v en-us+m3 -w "$t/cli.wav" -f "$t/text.txt"
  opusenc --quiet --bitrate 24 "$t/cli.wav" "$t/cli.opus"
  s1=$(date +%s.%N)
  cli=$(python3 -c "
import wave; w = wave.open('$t/cli.wav'); a = w.getnframes() / w.getframerate()
print(a, $s1 - $s0)")
  python3 - "$one" "$two" "$cli" <<'PY'
import sys
a1, w1, x1, c1 = map(float, sys.argv[1].split())
a2, w2, x2, c2 = map(float, sys.argv[2].split())
ac, wc = map(float, sys.argv[3].split())
xc = ac / wc
print("render (10,000 words, espeak:en-us+m3, 24 kbit/s Opus, stored):")
print(f"  1 core:    {a1:8.1f} s audio in {w1:6.2f} s = {x1:6.1f}x real time"
      f" ({a1 / c1:6.1f}x per CPU-second)")
print(f"  2 workers: {a2:8.1f} s audio in {w2:6.2f} s = {x2:6.1f}x real time"
      f" ({x2 / x1:4.2f}x the 1-core figure)")
print(f"  espeak-ng -w + opusenc: {ac:8.1f} s audio in {wc:6.2f} s = "
      f"{xc:6.1f}x real time")
print(f"  ratio 1 core / command line: {x1 / xc:4.2f}; "
      f"2 workers / command line: {x2 / xc:4.2f}")
PY
  rm -rf "$t"
}

bench_render
