package io.rusm.internal.process;

import io.rusm.Pid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Names to live processes, and each name's incarnation counter.
 *
 * <p>A name is remembered only while something uses it: a live process holds it, or a supervisor
 * {@linkplain #hold holds} it for a child it will restart. Once neither does, the name's slot is
 * dropped, so memory follows what is alive, not every name ever spawned. A {@link Pid} must still
 * never be reused: a forgotten name's last incarnation raises the floor of its hash bucket, and a
 * name that comes back starts above it ({@link Floors}).
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
    private final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();
    private final Floors floors = new Floors();

    /**
     * Where forgotten names' incarnations stopped, by hash bucket: a forgotten name raises its
     * bucket to its last incarnation, and a new slot starts above its bucket. Without remembering
     * names this never reuses a pid (no false negatives), and a name in an untouched bucket still
     * starts at 1. Allocated on the first forgotten name.
     */
    private static final class Floors {
        private static final int BUCKETS = 4096;
        private volatile java.util.concurrent.atomic.AtomicLongArray floors;

        long of(String name) {
            java.util.concurrent.atomic.AtomicLongArray f = floors;
            return f == null ? 0 : f.get(bucket(name));
        }

        void raise(String name, long incarnation) {
            java.util.concurrent.atomic.AtomicLongArray f = floors;
            if (f == null) {
                synchronized (this) {
                    if (floors == null) floors = new java.util.concurrent.atomic.AtomicLongArray(BUCKETS);
                    f = floors;
                }
            }
            f.accumulateAndGet(bucket(name), incarnation, Math::max);
        }

        private static int bucket(String name) {
            int h = name.hashCode() * 0x9E3779B9;
            return (h ^ (h >>> 16)) & (BUCKETS - 1);
        }
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

    /** Where a name's incarnations continue: above every forgotten incarnation in its bucket. */
    private long startFor(String name) {
        return floors.of(name);
    }

    private Slot forget(String name, Slot slot) {
        if (!name.startsWith("<")) floors.raise(name, slot.lastIncarnation);
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
