package io.rusm.internal.service;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Identifies a handler the way it would cross a wire: its method name and the {@linkplain Class#getName()
 * binary names} of its erased parameter types ({@code "long"}, {@code "java.lang.String"},
 * {@code "[J"}). Two overloads have different keys; plain strings, so the key serializes as is.
 *
 * @param method         the handler's method name
 * @param parameterTypes binary names of its erased parameter types, in order
 */
public record HandlerKey(String method, List<String> parameterTypes) {

    public HandlerKey {
        Objects.requireNonNull(method, "method");
        parameterTypes = List.copyOf(parameterTypes);
    }

    public static HandlerKey of(String method, Class<?>... parameterTypes) {
        return new HandlerKey(method, Arrays.stream(parameterTypes).map(Class::getName).toList());
    }

    @Override
    public String toString() {
        return method + "(" + String.join(", ", parameterTypes) + ")";
    }
}
