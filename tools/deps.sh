#!/usr/bin/env bash
# Install the Debian packages Glowtalk needs to build, test and run.
# Idempotent and quick when everything is present: it asks dpkg first and
# runs apt-get only for what is missing, printing what it installs.
set -euo pipefail

# One package list for build, tests and run. Add a package here together
# with the code that needs it, and say why in the commit.
PACKAGES=(
  build-essential pkg-config make perl          # compiler, make, prove
  libuv1-dev libsqlite3-dev libcurl4-openssl-dev libxml2-dev libsodium-dev
  libprotobuf-c-dev protobuf-c-compiler libcjson-dev libicu-dev
  libespeak-ng-dev espeak-ng libopus-dev libopusenc-dev libcivetweb-dev
  sqlite3 curl valgrind jq                      # tests and debugging
  opus-tools ffmpeg                             # decoders that check our audio
  python3                                       # make bench arithmetic
  nodejs chromium                               # browser tests, SHS interop, stand-in Glowfic
  libcmark-dev                                  # Markdown content from the Glowfic API (node/markdown.c)
  wrk                                           # make bench: web API latency under 100 connections
)

missing=()
for p in "${PACKAGES[@]}"; do
  [[ $p == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm: Debian packages it apart from nodejs; NodeSource's nodejs has it
# built in (and conflicts with Debian's npm package), so ask for the command.
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install packages" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
