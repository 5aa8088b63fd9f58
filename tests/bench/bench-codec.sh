#!/usr/bin/env bash
# Codec choice (issue 4): objective quality and speed of our encoder at
# Opus complexity 0, 3, 5, 10 (wideband, 24 kbit/s), and of wideband vs
# super-wideband vs full band at complexity 0 and 10 (opusenc with the
# same signal and bandwidth controls), on espeak-ng speech. Quality is the
# decoded audio against the original PCM: SNR, log-spectral distance
# (all bands, below and above 8 kHz) and the share of 8-11 kHz energy
# kept. See docs/PERFORMANCE.md, "Codec quality".
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
make --no-print-directory -s "$BUILD/bench-codec" "$BUILD/bench-render"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$BUILD/bench-render" gen "$t/text.txt" 600
espeak-ng -v en-us+m3 -w "$t/ref.wav" -f "$t/text.txt"
echo "codec quality (600 words of espeak-ng en-us+m3, 24 kbit/s)"
printf '  %-26s %8s %7s %7s %7s %7s %6s %8s\n' setting x_rt bytes snr_dB \
  lsd_dB 'lsd<8k' 'lsd>8k' hi_kept
for c in 0 3 5 10; do
  read -r _ _ x bytes < <("$BUILD/bench-codec" encode "$t/ref.wav" "$t/c.opus" 24000 $c)
  opusdec --quiet --rate 22050 "$t/c.opus" "$t/c.wav"
  read -r snr lsd lo hi kept < <("$BUILD/bench-codec" compare "$t/ref.wav" "$t/c.wav")
  printf '  %-26s %8s %7s %7s %7s %7s %6s %8s\n' "glowtalk complexity $c" "$x" \
    "$bytes" "$snr" "$lsd" "$lo" "$hi" "$kept"
done
for bw in 1103:wideband 1104:super-wideband 1105:fullband; do
  for c in 0 10; do
    s0=$(date +%s.%N)
    opusenc --quiet --bitrate 24 --comp $c --set-ctl-int 4024=3001 \
      --set-ctl-int 4004=${bw%%:*} "$t/ref.wav" "$t/b.opus"
    s1=$(date +%s.%N)
    opusdec --quiet --rate 22050 "$t/b.opus" "$t/b.wav"
    read -r snr lsd lo hi kept < <("$BUILD/bench-codec" compare "$t/ref.wav" "$t/b.wav")
    x=$(python3 -c "import wave; w = wave.open('$t/ref.wav'); print('%.1f' % (w.getnframes() / w.getframerate() / ($s1 - $s0)))")
    printf '  %-26s %8s %7s %7s %7s %7s %6s %8s\n' "opusenc ${bw#*:} c$c" "$x" \
      "$(stat -c %s "$t/b.opus")" "$snr" "$lsd" "$lo" "$hi" "$kept"
  done
done
