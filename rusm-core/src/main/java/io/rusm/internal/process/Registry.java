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
    /**
     * A held name's state. A name no supervisor holds maps to its live process itself (whose pid
     * carries the last incarnation), so the many processes spawned and never restarted under their
     * name (keyed services' keys, anonymous ones) cost no slot. Mutated only inside
     * {@link ConcurrentHashMap#compute} for that name.
     */
    private static final class Slot {
        volatile Process current;
        long lastIncarnation;
        int holds;

        Slot(long lastIncarnation) {
            this.lastIncarnation = lastIncarnation;
        }
    }

    /** Name to its live {@link Process} (held by nobody), or to its {@link Slot}. */
    private final ConcurrentHashMap<String, Object> slots = new ConcurrentHashMap<>();
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
        slots.compute(name, (n, v) -> {
            Process existing = current(v);
            if (existing != null && existing.isAlive()) {
                throw new IllegalStateException("name '" + name + "' is already registered to " + existing.pid);
            }
            if (existing == null) live.incrementAndGet();
            if (v instanceof Slot slot) {
                made[0] = create.apply(++slot.lastIncarnation);
                slot.current = made[0];
                return slot;
            }
            long last = existing != null ? existing.pid.incarnation() : anonymous ? 0 : startFor(name);
            made[0] = create.apply(last + 1);
            return made[0];
        });
        return made[0];
    }

    /** The process ended: its name is free, and forgotten unless a supervisor holds it. */
    void unregister(Process p) {
        slots.computeIfPresent(p.pid.name(), (name, v) -> {
            if (current(v) != p) return v;
            live.decrementAndGet();
            if (v instanceof Slot slot) {
                slot.current = null;
                if (slot.holds > 0) return slot;
            }
            return forget(name, p.pid.incarnation());
        });
    }

    /** A supervisor will (re)start processes under {@code name}: keep its incarnation counter. */
    void hold(String name) {
        slots.compute(name, (n, v) -> {
            Slot slot = switch (v) {
                case null -> new Slot(startFor(name));
                case Slot s -> s;
                case Process p -> { // its live process becomes the slot's
                    Slot s = new Slot(p.pid.incarnation());
                    s.current = p;
                    yield s;
                }
                default -> throw new IllegalStateException(String.valueOf(v));
            };
            slot.holds++;
            return slot;
        });
    }

    /** A supervisor no longer starts {@code name}; forgotten once no process holds it either. */
    void release(String name) {
        slots.computeIfPresent(name, (n, v) -> {
            if (!(v instanceof Slot slot)) return v; // never held
            if (slot.holds > 0) slot.holds--;
            if (slot.holds > 0) return slot;
            Process p = slot.current;
            return p != null ? p : forget(n, slot.lastIncarnation); // held by nobody: the process alone again
        });
    }

    /** Where a name's incarnations continue: above every forgotten incarnation in its bucket. */
    private long startFor(String name) {
        return floors.of(name);
    }

    private Object forget(String name, long lastIncarnation) {
        if (!name.startsWith("<")) floors.raise(name, lastIncarnation);
        return null;
    }

    /** The process a map value stands for: itself, or its slot's current one (null when none). */
    private static Process current(Object v) {
        return v instanceof Process p ? p : v == null ? null : ((Slot) v).current;
    }

    Process byName(String name) {
        Process p = current(slots.get(name));
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
        for (Object v : slots.values()) {
            Process p = current(v);
            if (p != null) out.add(p);
        }
        return out;
    }
}
