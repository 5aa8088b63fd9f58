# Unit tests: the runner plus every tests/unit/test-*.c.
UNIT_TEST_FILES = $(sort $(wildcard tests/unit/test-*.c))
UNIT_TEST_SRCS  = tests/unit/runner.c tests/unit/task.c $(UNIT_TEST_FILES)
# The in-process test swarm shared by the swarm, replication and blob tests
# (and tests/bench/bench-blobx.c).
UNIT_TEST_SRCS += tests/support/swarmh.c
