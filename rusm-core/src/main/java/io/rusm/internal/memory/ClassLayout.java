package io.rusm.internal.memory;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The shallow size of instances of one class and the reference fields the walker can read, computed
 * once per class from its declared fields (a HotSpot-like layout: 12-byte header, 4-byte compressed
 * references, fields packed, 8-byte alignment). Fields of classes in modules that are not open to
 * rusm (JDK internals) are sized but not followed: {@link #readable} is false for them.
 */
final class ClassLayout {
    static final int HEADER = 12;
    static final int REFERENCE = 4;
    static final int ALIGN = 8;

    final long shallowSize;
    final Field[] references;
    final boolean readable;

    private ClassLayout(long shallowSize, Field[] references, boolean readable) {
        this.shallowSize = shallowSize;
        this.references = references;
        this.readable = readable;
    }

    static final ClassValue<ClassLayout> LAYOUTS = new ClassValue<>() {
        @Override
        protected ClassLayout computeValue(Class<?> type) {
            return of(type);
        }
    };

    static ClassLayout of(Class<?> type) {
        long bytes = HEADER;
        List<Field> refs = new ArrayList<>();
        boolean readable = true;
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                Class<?> t = f.getType();
                bytes += t.isPrimitive() ? primitiveSize(t) : REFERENCE;
                if (!t.isPrimitive()) {
                    if (readable && tryOpen(f)) refs.add(f);
                    else readable = false;
                }
            }
        }
        return new ClassLayout(align(bytes), refs.toArray(Field[]::new), readable);
    }

    private static boolean tryOpen(Field f) {
        try {
            f.setAccessible(true);
            return true;
        } catch (InaccessibleObjectException | SecurityException e) {
            return false;
        }
    }

    static int primitiveSize(Class<?> t) {
        if (t == long.class || t == double.class) return 8;
        if (t == int.class || t == float.class) return 4;
        if (t == short.class || t == char.class) return 2;
        return 1; // byte, boolean
    }

    static long align(long bytes) {
        return (bytes + ALIGN - 1) & -ALIGN;
    }

    static long arraySize(Class<?> componentType, int length) {
        int element = componentType.isPrimitive() ? primitiveSize(componentType) : REFERENCE;
        return align(HEADER + 4L + (long) element * length);
    }
}
