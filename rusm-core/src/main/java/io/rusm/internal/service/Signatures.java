package io.rusm.internal.service;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Short, readable method signatures for error messages: {@code bump(long)}, {@code Counter.bump(long)}. */
public final class Signatures {
    private Signatures() {}

    /** {@code name(P1, P2)} with simple type names. */
    public static String of(String name, Class<?>[] parameterTypes) {
        return name + "(" + parameters(parameterTypes) + ")";
    }

    public static String of(Method m) {
        return of(m.getName(), m.getParameterTypes());
    }

    /** {@code Owner.name(P1, P2)}, where owner is the simple name of {@code owner}. */
    public static String qualified(Class<?> owner, Method m) {
        return owner.getSimpleName() + "." + of(m);
    }

    public static String parameters(Class<?>[] parameterTypes) {
        return Arrays.stream(parameterTypes).map(Class::getSimpleName).collect(Collectors.joining(", "));
    }
}
