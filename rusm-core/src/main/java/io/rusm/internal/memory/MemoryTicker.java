package io.rusm.internal.memory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The one thread (per JVM, a daemon, started with the first capped process) that keeps memory
 * measurements fresh while capped processes are idle: every {@value #PERIOD_MILLIS} ms it offers
 * {@link MemoryGuard#MEASURE} to each capped process whose last walk is about to be too old and
 * which handled messages since (nothing changed otherwise). It never walks a graph itself: the
 * process does, on its own fiber, when it takes the message out of its mailbox. Dead processes are
 * dropped at the next tick.
 */
final class MemoryTicker {
    static final long PERIOD_MILLIS = 250;
    static final long PERIOD_NANOS = PERIOD_MILLIS * 1_000_000;

    private record Watch(MemoryGuard guard, BooleanSupplier alive, Runnable offer) {}

    private static final Set<Watch> WATCHED = ConcurrentHashMap.newKeySet();
    private static volatile ScheduledThreadPoolExecutor thread;

    private MemoryTicker() {}

    static void watch(MemoryGuard guard, BooleanSupplier alive, Runnable offer) {
        WATCHED.add(new Watch(guard, alive, offer));
        if (thread == null) start();
    }

    private static synchronized void start() {
        if (thread != null) return;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "rusm-memory-ticker");
            th.setDaemon(true);
            return th;
        });
        t.scheduleWithFixedDelay(MemoryTicker::tick, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        thread = t;
    }

    private static void tick() {
        long now = System.nanoTime();
        for (Watch w : WATCHED) {
            try {
                if (!w.alive.getAsBoolean()) {
                    WATCHED.remove(w);
                } else if (w.guard.tickDue(now)) {
                    w.guard.tickPending = true;
                    w.offer.run(); // a system message: never refused for capacity, never blocks
                }
            } catch (Throwable t) { // one process's trouble must not stop the others' ticks
                WATCHED.remove(w);
            }
        }
    }

    /** Processes watched right now; for tests. */
    static int watched() {
        return WATCHED.size();
    }
}
