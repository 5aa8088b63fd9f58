#!/bin/sh
# prove entry point for the C unit tests (built by make as run-unit-tests).
exec "${GLOWTALK_UNIT:-build/run-unit-tests}"
