package io.rusm.internal.memory;

import java.util.function.Predicate;

/**
 * Enforces one process's {@code max-memory-mb} on a budget. Measuring a large graph is not free
 * (about 0.2–0.5 µs per object), so the guard measures only once enough time has passed since the
 * last measurement: walks take at most {@value #FAR_SHARE_PERCENT}% of the time while the process is
 * far from its cap, {@value #NEAR_SHARE_PERCENT}% once it has been measured above
 * {@value #NEAR_PERCENT}% of it. The clock is read only every {@value #CHECK_EVERY} messages, so
 * the per-message cost of a cap is a counter increment. A graph that explodes between two measurements is still caught by
 * the JVM: an {@code OutOfMemoryError} in a handler crashes the service like any other throwable.
 *
 * <p>Used only on the process's own fiber.
 */
public final class MemoryGuard {
    static final int FAR_SHARE_PERCENT = 5;
    static final int NEAR_SHARE_PERCENT = 15;
    static final int NEAR_PERCENT = 75;
    /** Messages between two looks at the clock. */
    static final int CHECK_EVERY = 16;
    /** An upper bound for a warm walk (measured 0.2–0.5 µs per object). */
    static final long WARM_NANOS_PER_OBJECT = 1_000;

    private final long limitBytes;
    private final Predicate<Object> shared;
    private int sinceCheck;
    private long lastMeasureEnd;
    private long lastCost;
    private boolean measuredOnce;
    private volatile long lastBytes = -1;

    public MemoryGuard(long limitBytes, Predicate<Object> shared) {
        if (limitBytes <= 0) throw new IllegalArgumentException("memory limit must be positive");
        this.limitBytes = limitBytes;
        this.shared = shared;
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** The retained size at the last measurement, or -1 before the first. */
    public long lastBytes() {
        return lastBytes;
    }

    /** Called after each message; true when a measurement is due. */
    public boolean handled() {
        if (!measuredOnce) return true;
        if (++sinceCheck < CHECK_EVERY) return false;
        sinceCheck = 0;
        int share = lastBytes * 100 >= limitBytes * NEAR_PERCENT ? NEAR_SHARE_PERCENT : FAR_SHARE_PERCENT;
        // Due when cost / (elapsed + cost) <= share, i.e. elapsed >= cost * (100 - share) / share.
        return System.nanoTime() - lastMeasureEnd >= lastCost * (100 - share) / share;
    }

    /** Measures {@code state}; returns its size, which the caller compares with {@link #limitBytes()}. */
    public long measure(Object state) {
        long t0 = System.nanoTime();
        long[] sizeAndCount = RetainedSize.withCount(state, shared);
        long bytes = sizeAndCount[0];
        // A cold first walk (class layouts, interpreted code) costs far more than the next ones will;
        // budget on what a warm walk of this many objects costs, so small services are checked often.
        lastCost = Math.min(System.nanoTime() - t0, WARM_NANOS_PER_OBJECT * sizeAndCount[1] + 10_000);
        lastMeasureEnd = System.nanoTime();
        sinceCheck = 0;
        measuredOnce = true;
        lastBytes = bytes;
        return bytes;
    }

    public boolean exceeded(long bytes) {
        return bytes > limitBytes;
    }
}
