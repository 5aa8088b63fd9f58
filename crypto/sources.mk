# The only code that includes sodium.h (STYLE.md A2, E11).
CRYPTO_SRCS = $(sort $(wildcard crypto/*.c))
CFLAGS_crypto = $(call pc_cflags,libsodium)
