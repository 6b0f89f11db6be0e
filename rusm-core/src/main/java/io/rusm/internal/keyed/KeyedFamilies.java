package io.rusm.internal.keyed;

import java.util.Arrays;

/**
 * The keyed services of one node, and the routing rule for their names: {@code <service>/<key>}
 * belongs to the family {@code service}. {@link io.rusm.Node} asks {@link #route} before it
 * resolves a name as a plain process, so every way of addressing a name (clients, {@code Node.call},
 * the wire) activates keys on demand. This is the seam where a cluster would send a key to the
 * node that owns it before the local family sees it.
 *
 * <p>Families are few and fixed at startup: an array scanned without allocation, so a node with no
 * keyed service pays one volatile read per call by name.
 */
public final class KeyedFamilies {
    private volatile KeyedFamily[] families = new KeyedFamily[0];

    /**
     * Adds a family.
     *
     * @throws IllegalStateException if a family of that name exists
     */
    public synchronized void add(KeyedFamily family) {
        for (KeyedFamily f : families) {
            if (f.name().equals(family.name())) throw new IllegalStateException("keyed service '" + family.name() + "' is already declared");
        }
        KeyedFamily[] grown = Arrays.copyOf(families, families.length + 1);
        grown[families.length] = family;
        families = grown;
    }

    /** The family named {@code service}, or null. */
    public KeyedFamily named(String service) {
        for (KeyedFamily f : families) if (f.name().equals(service)) return f;
        return null;
    }

    /** The family whose key {@code name} is ({@code <service>/<key>}, non-empty key), or null for any other name. */
    public KeyedFamily route(String name) {
        KeyedFamily[] fs = families;
        if (fs.length == 0) return null;
        for (KeyedFamily f : fs) {
            String n = f.name();
            int len = n.length();
            if (name.length() > len + 1 && name.charAt(len) == '/' && name.startsWith(n)) return f;
        }
        return null;
    }

    /** Every family, in declaration order. */
    public java.util.List<KeyedFamily> all() {
        return java.util.List.of(families);
    }
}
