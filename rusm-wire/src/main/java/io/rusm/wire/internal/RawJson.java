package io.rusm.wire.internal;

/** A reply that is already JSON text (from an external service to a wire caller): sent as is. */
public record RawJson(String json) {}
