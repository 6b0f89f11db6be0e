package io.rusm.wire.internal;

/**
 * A call or cast that came over the wire for a service with no Java class (an external service):
 * passed through as JSON, the arguments already checked to be a JSON array.
 */
public record JsonInvocation(String method, String argsJson) {}
