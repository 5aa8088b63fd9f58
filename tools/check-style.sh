#!/usr/bin/env bash
# Style checks of STYLE.md C1/C5 over our C sources (generated files are not
# ours): banned functions, raw malloc/free outside node/alloc.c, tabs,
# trailing whitespace, lines over 80 columns. Prints TAP.
set -u
cd "$(dirname "$0")/.."
files=$(git ls-files 'node/*.c' 'node/*.h' 'crypto/*.c' 'crypto/*.h' 2>/dev/null)
[ -n "$files" ] || files=$(ls node/*.[ch] crypto/*.[ch])
n=0; failed=0
report() { # DESC OUTPUT
  n=$((n + 1))
  if [ -z "$2" ]; then echo "ok $n - $1"; else
    failed=$((failed + 1)); echo "not ok $n - $1"; printf '%s\n' "$2" | head -20 | sed 's/^/# /'; fi
}
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|strncpy|alloca)[[:space:]]*\('
report "no banned functions" "$(grep -nE "$banned" $files)"
report "no raw malloc/free outside node/alloc.c" \
  "$(grep -nE '\b(malloc|calloc|realloc|free)[[:space:]]*\(' $(grep -v '^node/alloc.c$' <<<"$files") | grep -vE 'sodium_|try_|x(malloc|calloc|realloc|free)|cJSON_|_free\(|//|/\*')"
report "no tabs" "$(grep -nP '\t' $files)"
report "no trailing whitespace" "$(grep -nE '[[:space:]]+$' $files)"
# Columns, not bytes: UTF-8 text in comments and strings counts once.
report "lines fit in 80 columns" "$(LC_ALL=C.UTF-8 awk 'length > 80 { print FILENAME ":" FNR ": " length " columns" }' $files)"
echo "1..$n"
[ "$failed" = 0 ]
