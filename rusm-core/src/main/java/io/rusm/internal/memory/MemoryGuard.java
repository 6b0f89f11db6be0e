package io.rusm.internal.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Enforces one process's {@code max-memory-mb}. The guarantee: an incarnation never holds more than
 * its cap plus the size of one message for longer than {@value #BOUND_MILLIS} ms, idle or busy, and
 * the size it reports is that of its state after its last message, measured at most that long after
 * it. The state is the behavior's ({@code Behavior.state()}, a service's instance) and its timers'
 * (their entries and the messages they will deliver). Three triggers, all measuring on the process's own fiber (nothing mutates the graph while it
 * is walked):
 * <ul>
 *   <li><b>Large messages:</b> once the payload ({@link Payload}) of the messages since the last walk
 *       reaches a quarter of the headroom left under the cap (and at least {@value #LARGE_MIN_BYTES}
 *       bytes), at once, before the call of the message that reached it is answered: when it took
 *       the state past the cap, that call gets the crash.</li>
 *   <li><b>Busy:</b> every {@value #CHECK_EVERY} messages the clock is read; a walk is due once
 *       {@value #MAX_AGE_MILLIS} ms have passed since the last one, or earlier when the walk budget
 *       allows it ({@value #FAR_SHARE_PERCENT}% of the time far from the cap,
 *       {@value #NEAR_SHARE_PERCENT}% above {@value #NEAR_PERCENT}% of it).</li>
 *   <li><b>Idle:</b> one shared ticker thread ({@link MemoryTicker}) offers a system message,
 *       {@link #MEASURE}, to a capped process that handled messages since its last walk and was not
 *       walked for {@value #MAX_AGE_MILLIS} ms, so a service that grew and then went quiet is
 *       measured (and crashed) without waiting for its next message.</li>
 * </ul>
 * The walk itself takes time (about 40 ns per object warm, more when cold), which is why the bound is
 * {@value #BOUND_MILLIS} ms and the age limit shorter. A graph that explodes between two
 * measurements is still caught by the JVM: an {@code OutOfMemoryError} in a handler crashes the
 * service like any other throwable.
 *
 * <p>Used on the process's own fiber, except {@link #tickDue} (the ticker).
 */
public final class MemoryGuard {
    /**
     * The walk budget far from the cap. 2%: a 100,000-entry cache walks in about 10 ms, so it is
     * walked about every 500 ms rather than every 200 ms at 5%; the 750 ms age limit, not this
     * budget, is what bounds how stale a size may be.
     */
    static final int FAR_SHARE_PERCENT = 2;
    static final int NEAR_SHARE_PERCENT = 15;
    static final int NEAR_PERCENT = 75;
    /** Messages between two looks at the clock. */
    static final int CHECK_EVERY = 16;
    /** A generous upper bound for a warm walk (measured about 40 ns per object). */
    static final long WARM_NANOS_PER_OBJECT = 1_000;
    static final long BOUND_MILLIS = 1_000;
    /** A measurement older than this is renewed (busy: at the next clock look; idle: by the ticker). */
    static final long MAX_AGE_MILLIS = 750;
    static final long MAX_AGE_NANOS = MAX_AGE_MILLIS * 1_000_000;
    static final long LARGE_MIN_BYTES = 64 << 10;

    /** The system message the ticker offers to a capped process: "measure now if anything changed". */
    public static final Object MEASURE = new Object() {
        @Override
        public String toString() {
            return "rusm: measure the memory cap now";
        }
    };

    private static final VarHandle HANDLED;
    private static final VarHandle MEASURED_AT;
    static {
        try {
            var lookup = MethodHandles.lookup();
            HANDLED = lookup.findVarHandle(MemoryGuard.class, "handledCount", int.class);
            MEASURED_AT = lookup.findVarHandle(MemoryGuard.class, "handledAtMeasure", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long limitBytes;
    private final Predicate<Object> shared;
    /** Payload of the messages handled since the last walk (a lower bound of what they brought in). */
    private long unmeasuredPayload;
    private int sinceCheck;
    private long lastCost;
    /** Objects the last walk visited: the next one sizes its tables for about as many. */
    private long lastObjects;
    private boolean measuredOnce;
    /** {@link #tick()} found a walk due: the next {@link #handled} says so. */
    private boolean forced;
    /** Messages handled, and that count at the last walk: written by the fiber, read opaquely by the ticker. */
    private int handledCount;
    private int handledAtMeasure;
    private volatile long lastMeasureEnd;
    private volatile long lastBytes = -1;
    /** The ticker offered {@link #MEASURE} and the process has not handled it yet. */
    volatile boolean tickPending;

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

    /**
     * Has the shared ticker offer {@link #MEASURE} through {@code offer} while {@code alive}; the
     * process hands it to {@link #tick()} instead of its behavior.
     */
    public void watch(BooleanSupplier alive, Runnable offer) {
        MemoryTicker.watch(this, alive, offer);
    }

    /** Called after each message (null after init), before its call is answered; true when a walk is due now. */
    public boolean handled(Object message) {
        handledCount++;
        if (!measuredOnce || forced) return true;
        if (message != null && payloadDue(message)) return true;
        if (++sinceCheck < CHECK_EVERY) return false;
        sinceCheck = 0;
        long elapsed = System.nanoTime() - lastMeasureEnd;
        if (elapsed >= MAX_AGE_NANOS) return true;
        int share = lastBytes * 100 >= limitBytes * NEAR_PERCENT ? NEAR_SHARE_PERCENT : FAR_SHARE_PERCENT;
        // Due when cost / (elapsed + cost) <= share, i.e. elapsed >= cost * (100 - share) / share.
        return elapsed >= lastCost * (100 - share) / share;
    }

    /** The process took {@link #MEASURE} out of its mailbox: true when a walk is due (it handled messages since the last). */
    public boolean tick() {
        tickPending = false;
        forced = handledCount != handledAtMeasure;
        return forced;
    }

    /** For the ticker: whether to offer {@link #MEASURE} now. */
    boolean tickDue(long now) {
        return !tickPending && (int) HANDLED.getOpaque(this) != (int) MEASURED_AT.getOpaque(this)
                && now - lastMeasureEnd >= MAX_AGE_NANOS - MemoryTicker.PERIOD_NANOS;
    }

    /** Whether the messages since the last walk brought in a quarter of the headroom left (or more). */
    private boolean payloadDue(Object message) {
        unmeasuredPayload += Payload.of(message);
        long headroom = limitBytes - Math.max(0, lastBytes);
        return unmeasuredPayload >= Math.max(LARGE_MIN_BYTES, headroom / 4);
    }

    /** Measures {@code state}; returns its size, which the caller compares with {@link #limitBytes()}. */
    public long measure(Object state) {
        return measure(state, NO_ROOTS, 0);
    }

    private static final Object[] NO_ROOTS = {};

    /**
     * Measures {@code state} together with what the process's timers hold: {@code timerRoots} (their
     * keys and messages, walked with the state so what both reach counts once) and
     * {@code timerEntryBytes} (the timer entries themselves). The incarnation's retained size is the
     * sum: a process that starts huge numbers of timers, or timers carrying big messages, trips its cap.
     */
    public long measure(Object state, Object[] timerRoots, long timerEntryBytes) {
        long t0 = System.nanoTime();
        long[] sizeAndCount = RetainedSize.withCount(state, timerRoots, shared, lastObjects);
        lastObjects = sizeAndCount[1];
        long bytes = sizeAndCount[0] + timerEntryBytes;
        // A cold first walk (class layouts, interpreted code) costs far more than the next ones will;
        // budget on what a warm walk of this many objects costs, so small services are checked often.
        lastCost = Math.min(System.nanoTime() - t0, WARM_NANOS_PER_OBJECT * sizeAndCount[1] + 10_000);
        lastMeasureEnd = System.nanoTime();
        sinceCheck = 0;
        unmeasuredPayload = 0;
        forced = false;
        measuredOnce = true;
        MEASURED_AT.setOpaque(this, handledCount);
        lastBytes = bytes;
        return bytes;
    }

    public boolean exceeded(long bytes) {
        return bytes > limitBytes;
    }
}
