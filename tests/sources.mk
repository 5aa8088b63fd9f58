# Unit tests: the runner plus every tests/unit/test-*.c.
UNIT_TEST_FILES = $(sort $(wildcard tests/unit/test-*.c))
UNIT_TEST_SRCS  = tests/unit/runner.c tests/unit/task.c $(UNIT_TEST_FILES)
