#!/usr/bin/env bash
# glowtalk say and voices, checked with real decoders (opusinfo, opusdec,
# ffprobe): valid files, durations, blends that differ from their parents,
# the render cache in a data dir, and bad input that changes nothing.
set -u
BIN=${GLOWTALK_BIN:-./glowtalk}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export GLOWTALK_DATA="$T/nodata"   # no data dir unless a test makes one
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

# 1-4: a plain voice; opusinfo is clean; decoders agree on the duration
"$BIN" say "Hello there. This is Glowtalk speaking." --voice \
  espeak:en-gb-scotland+m3,rate=170,pitch=40 -o "$T/a.opus" 2>"$T/err"
check "say writes a file" test -s "$T/a.opus"
opusinfo "$T/a.opus" >"$T/info" 2>&1
check "opusinfo reports no errors" bash -c \
  "! grep -q -E 'WARNING|ERROR' '$T/info' && grep -q 'Channels: 1' '$T/info'"
opusdec --quiet --rate 48000 "$T/a.opus" "$T/a.wav"
frames=$(( ($(stat -c %s "$T/a.wav") - 44) / 2 ))
probe=$(ffprobe -v error -show_entries stream=duration_ts -of csv=p=0 \
  "$T/a.opus" | head -1)
# ffprobe counts 48 kHz samples including the 312-sample pre-skip
check "opusdec and ffprobe durations agree within 1%" python3 -c "
f=$frames/48000; p=($probe-312)/48000
import sys; sys.exit(0 if f > 1 and abs(f-p) <= 0.01*f else 1)"
check "no temp file left" test "$(ls "$T" | grep -c tmp)" = 0

# 5-8: blends are deterministic and differ from both parents
for v in m3 f2; do
  "$BIN" say "One two three four five." --voice "espeak:en+$v" \
    -o "$T/$v.opus" && opusdec --quiet "$T/$v.opus" "$T/$v.wav"
done
for i in 1 2; do
  "$BIN" say "One two three four five." --voice "espeak:en+m3:60+f2:40" \
    -o "$T/mix$i.opus" && opusdec --quiet "$T/mix$i.opus" "$T/mix$i.wav"
done
check "a blend renders" test -s "$T/mix1.wav"
check "a blend is deterministic" cmp -s "$T/mix1.wav" "$T/mix2.wav"
# libespeak-ng 1.51 overflowed a 40-byte field on "LANG+!v/VARIANT" with a
# long language and the generated variant's name.
"$BIN" say "One two three." --voice "espeak:en-gb-scotland+m3:60+f2:40" \
  -o "$T/long.opus" 2>"$T/long.err"
check "a blend of a long-named language renders" test -s "$T/long.opus"
check "a blend differs from its first parent" bash -c \
  "! cmp -s '$T/mix1.wav' '$T/m3.wav'"
check "a blend differs from its second parent" bash -c \
  "! cmp -s '$T/mix1.wav' '$T/f2.wav'"
# Chromium plays Ogg Opus through FFmpeg's demuxer and libopus: FFmpeg
# must decode the blend without a single warning.
check "ffmpeg decodes a blend cleanly" bash -c \
  "[ -z \"\$(ffmpeg -v warning -i '$T/mix1.opus' -f null - 2>&1)\" ]"

# 9-10: voices
"$BIN" voices --json >"$T/voices.json"
check "voices --json lists voices, variants and presets" python3 -c "
import json; d=json.load(open('$T/voices.json'))
assert len(d['voices']) > 50 and len(d['variants']) > 50
assert {'Narrator','Warm','Authoritative','Calm','Friendly','Child',
        'Elder'} <= {p['role'] for p in d['presets']}
assert any(v['lang'] == 'en-gb-scotland' for v in d['voices'])
assert any(v['name'] == 'm3' and v['gender'] == 'male'
           for v in d['variants'])"
check "voices prints a table" bash -c "'$BIN' voices | grep -q Narrator"

# 11-20: bad input: one line, non-zero, no file, nothing stored
"$BIN" init --data "$T/d" >/dev/null 2>&1
export GLOWTALK_DATA="$T/d"
bad() {
  local what=$1; shift
  rm -f "$T/bad.opus"
  "$BIN" say "$@" 2>"$T/err" >/dev/null
  local rc=$?
  if [ $rc -ne 0 ] && [ "$(wc -l <"$T/err")" = 1 ] && [ ! -e "$T/bad.opus" ] \
     && ! ls "$T" | grep -q 'bad.opus.tmp'; then
    ok "$what: $(cat "$T/err")"
  else
    nok "$what (rc=$rc): $(cat "$T/err")"
  fi
}
bad "unknown engine" "Hi" --voice piper:en -o "$T/bad.opus"
bad "unknown voice" "Hi" --voice espeak:xx-nowhere -o "$T/bad.opus"
bad "unknown variant" "Hi" --voice espeak:en+nobody -o "$T/bad.opus"
bad "malformed spec" "Hi" --voice "espeak:en,rate" -o "$T/bad.opus"
bad "malformed mix" "Hi" --voice "espeak:en+m3:60+f2:50" -o "$T/bad.opus"
bad "empty text" "  " --voice espeak:en -o "$T/bad.opus"
bad "text over the cap" "$(head -c 9000 /dev/zero | tr '\0' a)" \
  --voice espeak:en -o "$T/bad.opus"
bad "unwritable output" "Hi" --voice espeak:en -o "$T/no/such/dir/x.opus"
"$BIN" say "Hi" --voice espeak:en >/dev/null 2>"$T/err"
check "missing -o is a usage error" test $? = 2
check "nothing was stored" bash -c "[ -z \"\$(find '$T/d/blobs' -type f \
  2>/dev/null)\" ] && [ \"\$(sqlite3 '$T/d/glowtalk.db' \
  'SELECT count(*) FROM render_cache')\" = 0 ]"

# 21-22: the cache: the same sentence twice in the same voice is one blob
"$BIN" say "Cached words." --voice espeak:en-us+f2 -o "$T/c1.opus"
"$BIN" say "Cached words." --voice espeak:en-us+f2,rate=175 -o "$T/c2.opus"
check "same sentence, same voice: one blob" bash -c \
  "[ \"\$(find '$T/d/blobs' -name '*.opus' | wc -l)\" = 1 ] && \
   cmp -s '$T/c1.opus' '$T/c2.opus'"
"$BIN" say "Cached words." --voice espeak:en-us+f2,rate=176 -o "$T/c3.opus"
check "another voice parameter: a second render" bash -c \
  "[ \"\$(sqlite3 '$T/d/glowtalk.db' \
  'SELECT count(*) FROM render_cache')\" = 2 ]"
echo "1..$n"
