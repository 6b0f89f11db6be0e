package io.rusm.internal.process;

import io.rusm.Pid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Names to live processes, and each name's incarnation counter.
 *
 * <p>A name is remembered only while something uses it: a live process holds it, or a supervisor
 * {@linkplain #hold holds} it for a child it will restart. Once neither does, the name's slot is
 * dropped, so memory follows what is alive, not every name ever spawned. A {@link Pid} must still
 * never be reused: a forgotten name's highest incarnation raises {@code floor}, and a name that comes
 * back starts above it. A fixed-size Bloom filter of forgotten names tells a returning name from a new
 * one (no false negatives), so a brand-new name still starts at incarnation 1 without the registry
 * remembering every name it ever dropped.
 *
 * <p>Anonymous processes are registered under their generated {@code <anon-N>} name too (always
 * incarnation 1, never held), so a pid always resolves with one lookup plus an identity check.
 */
final class Registry {
    /** One name's state. Mutated only inside {@link ConcurrentHashMap#compute} for that name. */
    private static final class Slot {
        volatile Process current;
        long lastIncarnation;
        int holds;

        Slot(long lastIncarnation) {
            this.lastIncarnation = lastIncarnation;
        }
    }

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    /** The highest incarnation of any forgotten name: a returning name starts above it. */
    private final AtomicLong floor = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
    private final Consumer<String> onForget;
    private final ForgottenNames forgotten = new ForgottenNames();

    /** A Bloom filter of 2^19 bits, three probes, allocated on the first forgotten name. */
    private static final class ForgottenNames {
        private static final int BITS = 1 << 19;
        private volatile java.util.concurrent.atomic.AtomicLongArray words;

        void add(String name) {
            java.util.concurrent.atomic.AtomicLongArray w = words;
            if (w == null) {
                synchronized (this) {
                    if (words == null) words = new java.util.concurrent.atomic.AtomicLongArray(BITS / 64);
                    w = words;
                }
            }
            for (int i = 0; i < 3; i++) {
                int bit = probe(name, i);
                long mask = 1L << (bit & 63);
                w.getAndUpdate(bit >>> 6, v -> v | mask);
            }
        }

        boolean mightContain(String name) {
            java.util.concurrent.atomic.AtomicLongArray w = words;
            if (w == null) return false;
            for (int i = 0; i < 3; i++) {
                int bit = probe(name, i);
                if ((w.get(bit >>> 6) & (1L << (bit & 63))) == 0) return false;
            }
            return true;
        }

        private static int probe(String name, int i) {
            long h = name.hashCode() * 0x9E3779B97F4A7C15L + i * 0xC2B2AE3D27D4EB4FL + name.length();
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
            return (int) (h & (BITS - 1));
        }
    }

    /** {@code onForget} is told (inside the name's update, so keep it cheap) when a name is dropped. */
    Registry(Consumer<String> onForget) {
        this.onForget = onForget;
    }

    /**
     * Registers a new incarnation under {@code name}, built by {@code create} from its incarnation
     * number. A dead previous holder is replaced; a live one is an error.
     */
    Process register(String name, boolean anonymous, LongFunction<Process> create) {
        Process[] made = new Process[1];
        slots.compute(name, (n, slot) -> {
            if (slot == null) slot = new Slot(anonymous ? 0 : startFor(name));
            Process existing = slot.current;
            if (existing != null && existing.isAlive()) {
                throw new IllegalStateException("name '" + name + "' is already registered to " + existing.pid);
            }
            made[0] = create.apply(++slot.lastIncarnation);
            if (existing == null) live.incrementAndGet();
            slot.current = made[0];
            return slot;
        });
        return made[0];
    }

    /** The process ended: its name is free, and forgotten unless a supervisor holds it. */
    void unregister(Process p) {
        slots.computeIfPresent(p.pid.name(), (name, slot) -> {
            if (slot.current != p) return slot;
            slot.current = null;
            live.decrementAndGet();
            return slot.holds > 0 ? slot : forget(name, slot);
        });
    }

    /** A supervisor will (re)start processes under {@code name}: keep its incarnation counter. */
    void hold(String name) {
        slots.compute(name, (n, slot) -> {
            if (slot == null) slot = new Slot(startFor(name));
            slot.holds++;
            return slot;
        });
    }

    /** A supervisor no longer starts {@code name}; forgotten once no process holds it either. */
    void release(String name) {
        slots.computeIfPresent(name, (n, slot) -> {
            if (slot.holds > 0) slot.holds--;
            return slot.holds > 0 || slot.current != null ? slot : forget(n, slot);
        });
    }

    /** Where a name's incarnations continue: above every forgotten incarnation if it may have been seen. */
    private long startFor(String name) {
        return forgotten.mightContain(name) ? floor.get() : 0;
    }

    private Slot forget(String name, Slot slot) {
        if (!name.startsWith("<")) {
            floor.accumulateAndGet(slot.lastIncarnation, Math::max);
            forgotten.add(name);
        }
        onForget.accept(name);
        return null;
    }

    Process byName(String name) {
        Slot s = slots.get(name);
        Process p = s == null ? null : s.current;
        return p != null && p.isAlive() ? p : null;
    }

    Process byPid(Pid pid) {
        Process p = byName(pid.name());
        return p != null && p.pid.equals(pid) ? p : null;
    }

    /** Names remembered (live or held): what the registry costs. */
    int names() {
        return slots.size();
    }

    int size() {
        return live.get();
    }

    List<Process> all() {
        List<Process> out = new ArrayList<>();
        for (Slot s : slots.values()) {
            Process p = s.current;
            if (p != null) out.add(p);
        }
        return out;
    }
}
