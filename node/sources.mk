# The daemon and CLI. Every .c file here (and in subfolders) is built; main.c
# holds main() and is left out of libglowtalk.a so tests can link the rest.
NODE_SRCS = $(sort $(wildcard node/*.c node/*/*.c))
