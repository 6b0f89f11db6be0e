package io.rusm.internal.memory;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.Map;

/**
 * A cheap lower bound of a message's payload, to tell a large message (a 10 MB value put into a
 * cache) from the usual small ones without walking it: the message itself and what its fields refer
 * to, two levels deep (a call's argument array and the arguments in it), sized shallowly — arrays
 * and strings by their length, collections by their element count. Costs a few field reads per
 * message.
 */
final class Payload {
    private static final int DEPTH = 2;
    private static final long PER_ELEMENT = 16;

    private Payload() {}

    /** The shallow payload of {@code message}, in bytes. */
    static long of(Object message) {
        // a client call: its arguments, as deep as when walked below the invocation, without reflection
        if (message instanceof CarriesPayload c) return size(c.payload(), DEPTH - 1);
        return size(message, DEPTH);
    }

    private static long size(Object o, int depth) {
        if (o == null) return 0;
        Class<?> type = o.getClass();
        if (o instanceof String s) return s.length();
        if (type.isArray()) {
            Class<?> component = type.getComponentType();
            if (component.isPrimitive()) return ClassLayout.arraySize(component, java.lang.reflect.Array.getLength(o));
            Object[] elements = (Object[]) o;
            long bytes = ClassLayout.arraySize(component, elements.length);
            if (depth > 0) for (Object e : elements) bytes += size(e, depth - 1);
            return bytes;
        }
        if (o instanceof Collection<?> c) return c.size() * PER_ELEMENT;
        if (o instanceof Map<?, ?> m) return m.size() * 2 * PER_ELEMENT;
        ClassLayout layout = ClassLayout.LAYOUTS.get(type);
        long bytes = layout.shallowSize;
        if (depth > 0) {
            for (Field f : layout.references) {
                try {
                    bytes += size(f.get(o), depth - 1);
                } catch (IllegalAccessException e) {
                    // opened at layout time; a miss only undercounts
                }
            }
        }
        return bytes;
    }
}
