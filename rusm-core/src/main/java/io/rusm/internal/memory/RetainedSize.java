package io.rusm.internal.memory;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Estimates the heap retained by an object graph (a service instance and what it reaches), for
 * enforcing {@code max-memory-mb}. A lean walker: an identity set of visited objects, per-class
 * layouts computed once, an explicit stack (no recursion, so deep lists cannot overflow).
 *
 * <p>JDK collections cannot be read field by field without {@code --add-opens}, so the common ones
 * are measured through their public API (sizes of their nodes and tables are modelled on OpenJDK's
 * implementation) and their keys, values and elements are walked. Other JDK objects count their
 * shallow size only. Objects the {@code boundary} predicate accepts (shared infrastructure: the
 * node, injected beans, proxies) are not counted at all. Accuracy against OpenJDK JOL is measured in
 * {@code RetainedSizeAccuracyTest} and documented in the README.
 *
 * <p>Must run on the thread that owns the graph (the service's fiber, between messages): it reads
 * plain fields and iterates collections without synchronization.
 */
public final class RetainedSize {
    private static final long HASH_NODE = 32;         // HashMap.Node, ConcurrentHashMap.Node
    private static final long LINKED_HASH_ENTRY = 40; // LinkedHashMap.Entry
    private static final long TREE_ENTRY = 40;        // TreeMap.Entry
    private static final long LIST_NODE = 24;         // LinkedList.Node

    private final Predicate<Object> boundary;
    private final IdentityHashMap<Object, Boolean> seen;
    private final ArrayDeque<Object> stack;
    private long bytes;
    private long objects;

    private RetainedSize(Predicate<Object> boundary, long expectedObjects) {
        this.boundary = boundary;
        // Sized for the last walk's count: growing a table of hundreds of thousands of entries step
        // by step rehashes it ~15 times and leaves its large old arrays to the GC.
        int expected = (int) Math.min(expectedObjects, 1 << 26);
        this.seen = new IdentityHashMap<>(Math.max(32, expected));
        this.stack = new ArrayDeque<>(Math.max(16, Math.min(expected, 1 << 20)));
    }

    /** Bytes retained by {@code root}, not counting what {@code boundary} marks as shared. */
    public static long of(Object root, Predicate<Object> boundary) {
        RetainedSize walk = new RetainedSize(boundary, 0);
        walk.push(root);
        walk.run();
        return walk.bytes;
    }

    /** Like {@link #of} but also reports how many objects were visited (for overhead measurements). */
    public static long[] withCount(Object root, Predicate<Object> boundary) {
        return withCount(root, NO_ROOTS, boundary, 0);
    }

    private static final Object[] NO_ROOTS = {};

    /**
     * {@link #withCount} of {@code root} and the {@code moreRoots} together, each object counted once
     * however many of them reach it (the messages a process's timers will deliver, with its state).
     * The array itself is not counted. The walk's tables are sized for about {@code expectedObjects}
     * (the last walk's count; 0 if unknown).
     */
    public static long[] withCount(Object root, Object[] moreRoots, Predicate<Object> boundary, long expectedObjects) {
        RetainedSize walk = new RetainedSize(boundary, expectedObjects);
        walk.push(root);
        for (Object r : moreRoots) walk.push(r);
        walk.run();
        return new long[]{walk.bytes, walk.objects};
    }

    private void push(Object o) {
        if (o == null) return;
        if (isPlainValue(o.getClass())) { // most of a big state: no need to ask whether they are shared machinery
            if (seen.put(o, Boolean.TRUE) == null) leaf(o);
            return;
        }
        if (isShared(o) || seen.put(o, Boolean.TRUE) != null) return;
        stack.push(o);
    }

    /** Strings and boxed primitives: final JDK classes with no references to walk. */
    private static boolean isPlainValue(Class<?> type) {
        return type == String.class || type == Integer.class || type == Long.class || type == Double.class
                || type == Boolean.class || type == Character.class || type == Short.class || type == Byte.class
                || type == Float.class;
    }

    /** Counts a plain value (see {@link #isPlainValue}) without stacking it. */
    private void leaf(Object o) {
        objects++;
        bytes += o instanceof String s
                ? STRING_SHALLOW + ClassLayout.arraySize(byte.class, stringBytes(s))
                : ClassLayout.LAYOUTS.get(o.getClass()).shallowSize;
    }

    private static final long STRING_SHALLOW = ClassLayout.LAYOUTS.get(String.class).shallowSize;

    private boolean isShared(Object o) {
        return o instanceof Class<?> || o instanceof ClassLoader || o instanceof Thread || o instanceof Enum<?>
                || o instanceof io.rusm.Node || o instanceof io.rusm.Kv || isMachinery(o.getClass())
                || Proxy.isProxyClass(o.getClass()) || boundary.test(o);
    }

    /**
     * rusm's own runtime objects a service or a timer's message may reach (its {@code Timers}, a
     * reminder's callback, a process): never state. Walking them would reach the node's shared
     * timer queue and every other process; what a process's timers cost is charged explicitly.
     */
    private static boolean isMachinery(Class<?> type) {
        return type.getName().startsWith("io.rusm.internal.");
    }

    private void run() {
        while (!stack.isEmpty()) {
            Object o = stack.pop();
            objects++;
            Class<?> type = o.getClass();
            if (type.isArray()) {
                array(o, type.getComponentType());
            } else if (o instanceof Map<?, ?> m && isJdk(type)) {
                map(m, type);
            } else if (o instanceof Collection<?> c && isJdk(type)) {
                collection(c, type);
            } else {
                ClassLayout layout = ClassLayout.LAYOUTS.get(type);
                bytes += layout.shallowSize;
                for (Field f : layout.references) {
                    try {
                        push(f.get(o));
                    } catch (IllegalAccessException e) {
                        // opened at layout time; cannot happen, and a miss only undercounts
                    }
                }
            }
        }
    }

    private void array(Object array, Class<?> component) {
        int length = Array.getLength(array);
        bytes += ClassLayout.arraySize(component, length);
        if (!component.isPrimitive()) {
            Object[] elements = (Object[]) array;
            for (Object e : elements) push(e);
        }
    }

    private void map(Map<?, ?> m, Class<?> type) {
        int size = m.size();
        bytes += ClassLayout.LAYOUTS.get(type).shallowSize;
        String name = type.getName();
        if (name.equals("java.util.TreeMap") || name.equals("java.util.concurrent.ConcurrentSkipListMap")) {
            bytes += size * TREE_ENTRY;
        } else {
            long node = type == java.util.LinkedHashMap.class ? LINKED_HASH_ENTRY : HASH_NODE;
            bytes += size * node + (size == 0 ? 0 : ClassLayout.arraySize(Object.class, tableCapacity(size)));
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            push(e.getKey());
            push(e.getValue());
        }
    }

    private void collection(Collection<?> c, Class<?> type) {
        int size = c.size();
        bytes += ClassLayout.LAYOUTS.get(type).shallowSize;
        if (c instanceof Set<?>) {
            // HashSet/LinkedHashSet wrap a map: its object, table and nodes.
            bytes += ClassLayout.LAYOUTS.get(java.util.HashMap.class).shallowSize + size * HASH_NODE
                    + (size == 0 ? 0 : ClassLayout.arraySize(Object.class, tableCapacity(size)));
        } else if (c instanceof java.util.LinkedList<?>) {
            bytes += size * LIST_NODE;
        } else {
            bytes += ClassLayout.arraySize(Object.class, size); // backing array, assuming it is about full
        }
        for (Object e : c) push(e);
    }

    /** The power-of-two table a hash map of {@code size} entries has at load factor 0.75. */
    private static int tableCapacity(int size) {
        int needed = (int) Math.min(1 << 30, (long) Math.ceil(size / 0.75));
        return Math.max(16, Integer.highestOneBit(needed - 1) << 1);
    }

    private static int stringBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) return s.length() * 2; // UTF16 coder
        }
        return s.length(); // LATIN1 coder (compact strings)
    }

    private static boolean isJdk(Class<?> type) {
        return type.getName().startsWith("java.");
    }
}
