#!/bin/sh
# Style checks (STYLE.md C1, C5) as part of the test suite.
exec bash "$(dirname "$0")/../tools/check-style.sh"
