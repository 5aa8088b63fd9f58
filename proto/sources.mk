# Wire and log messages; protoc-c output goes to $(BUILD)/gen/proto (H8).
PROTO_SRCS = $(sort $(wildcard proto/*.proto))
