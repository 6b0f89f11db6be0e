package io.rusm.internal.timer;

import io.rusm.FencedException;
import io.rusm.Pid;
import io.rusm.Timers;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The timers of one incarnation. Each timer is one task on the shared {@link TimerScheduler}; when it
 * is due it puts a {@link TimerTick} (key, generation) in the mailbox, unless a tick of that timer is
 * already waiting there (coalescing: at most one queued tick per key). The fiber turns the tick back
 * into the user's message with {@link #accept}, which drops it if the timer was cancelled or replaced
 * meanwhile. {@link #close} (from the process's ending) cancels every task, so a dead incarnation's
 * timers are gone from the scheduler, not just ignored.
 *
 * <p>Guarded by {@code this}: the fiber starts and cancels, the scheduler's thread fires, a killer
 * closes. Every critical section is short and runs no user code.
 */
public final class ProcessTimers implements Timers {

    /** Puts a tick in the owner's mailbox; false if the mailbox no longer takes messages. */
    @FunctionalInterface
    public interface TickSink {
        boolean deliver(TimerTick tick);
    }

    private enum Mode { SINGLE, FIXED_RATE, FIXED_DELAY }

    /** Beyond this a delay means "never" in practice (~73 years); keeps due-time arithmetic exact. */
    private static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private final Pid owner;
    private final TimerScheduler scheduler;
    private final TickSink sink;
    private final HashMap<Object, Timer> timers = new HashMap<>(4);
    private long generations;
    private boolean closed;

    public ProcessTimers(Pid owner, TimerScheduler scheduler, TickSink sink) {
        this.owner = owner;
        this.scheduler = scheduler;
        this.sink = sink;
    }

    private final class Timer implements Runnable {
        final Object key;
        final Object message;
        final long generation;
        final Mode mode;
        final long period;
        long nextDue;
        boolean queued;
        TimerScheduler.Cancellable task;

        Timer(Object key, Object message, long generation, Mode mode, long period) {
            this.key = key;
            this.message = message;
            this.generation = generation;
            this.mode = mode;
            this.period = period;
        }

        @Override
        public void run() {
            fire(this);
        }

        void cancel() {
            TimerScheduler.Cancellable t = task;
            task = null;
            if (t != null) t.cancel();
        }
    }

    // ---- the API, on the fiber -------------------------------------------------------------

    @Override
    public void startSingle(Object key, Duration delay, Object message) {
        start(key, message, Mode.SINGLE, nanos(delay, "delay", false), 0);
    }

    @Override
    public void startFixedRate(Object key, Duration initialDelay, Duration interval, Object message) {
        start(key, message, Mode.FIXED_RATE, nanos(initialDelay, "initialDelay", false), nanos(interval, "interval", true));
    }

    @Override
    public void startFixedDelay(Object key, Duration delay, Object message) {
        long d = nanos(delay, "delay", true);
        start(key, message, Mode.FIXED_DELAY, d, d);
    }

    @Override
    public synchronized void cancel(Object key) {
        checkOpen("cancel");
        Timer t = timers.remove(Objects.requireNonNull(key, "key"));
        if (t != null) t.cancel();
    }

    @Override
    public synchronized void cancelAll() {
        checkOpen("cancelAll");
        cancelEvery();
    }

    @Override
    public synchronized boolean isActive(Object key) {
        checkOpen("isActive");
        return timers.containsKey(key);
    }

    @Override
    public synchronized Set<Object> keys() {
        checkOpen("keys");
        return new LinkedHashSet<>(timers.keySet());
    }

    private synchronized void start(Object key, Object message, Mode mode, long delay, long period) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        checkOpen("start a timer");
        Timer old = timers.remove(key);
        if (old != null) old.cancel();
        Timer t = new Timer(key, message, ++generations, mode, period);
        timers.put(key, t);
        t.nextDue = scheduler.nanoTime() + delay;
        t.task = scheduler.schedule(t, delay);
    }

    // ---- firing and delivery ---------------------------------------------------------------

    /** On the scheduler's thread: queue a tick unless one is waiting; a fixed-rate timer books its next due time. */
    private synchronized void fire(Timer t) {
        if (closed || timers.get(t.key) != t) return;
        t.task = null;
        if (t.mode == Mode.FIXED_RATE) {
            long now = scheduler.nanoTime();
            long missed = now < t.nextDue ? 1 : (now - t.nextDue) / t.period + 1; // due times that passed are skipped
            t.nextDue += missed * t.period;
            t.task = scheduler.schedule(t, t.nextDue - now);
        }
        if (t.queued) return; // coalesced: the waiting tick stands for this one too
        t.queued = true;
        if (!sink.deliver(new TimerTick(t.key, t.generation))) t.queued = false; // the process is ending
    }

    /**
     * On the fiber, as it takes {@code tick} out of the mailbox: the message to handle, or null when
     * the timer was cancelled or replaced since the tick was queued (the tick is then dropped unseen).
     */
    public synchronized Object accept(TimerTick tick) {
        Timer t = timers.get(tick.key());
        if (closed || t == null || t.generation != tick.generation()) return null;
        t.queued = false;
        if (t.mode == Mode.SINGLE) timers.remove(t.key);
        return t.message;
    }

    /** On the fiber, after the tick's message was handled: a fixed-delay timer waits its delay again. */
    public synchronized void handled(TimerTick tick) {
        Timer t = timers.get(tick.key());
        if (closed || t == null || t.generation != tick.generation() || t.mode != Mode.FIXED_DELAY) return;
        t.nextDue = scheduler.nanoTime() + t.period;
        t.task = scheduler.schedule(t, t.period);
    }

    // ---- the ending and views --------------------------------------------------------------

    /** The incarnation ended: cancel every timer and refuse new ones ({@link FencedException}). Idempotent. */
    public synchronized void close() {
        closed = true;
        cancelEvery();
    }

    /** Keys of the active timers, for views from any thread (empty once closed). */
    public synchronized Set<Object> activeKeys() {
        return new LinkedHashSet<>(timers.keySet());
    }

    public synchronized int activeCount() {
        return timers.size();
    }

    /**
     * Whether a timer is due within {@code nanos} from now, or overdue (a tick queued or late), for
     * hibernation: a process about to get a tick is not idle, and letting its fiber go only to start
     * another one at once costs more than it saves.
     */
    public synchronized boolean dueWithin(long nanos) {
        if (closed || timers.isEmpty()) return false;
        long now = scheduler.nanoTime();
        for (Timer t : timers.values()) {
            if (t.queued || t.nextDue - now < nanos) return true;
        }
        return false;
    }

    /**
     * Heap one active timer costs beyond its key and message, for the memory cap: our entry (~64 B),
     * its map node and table slot (~40 B), the scheduler's task and adapter (~96 B), the cancel
     * handle (~16 B) and a queued tick (~24 B). {@code TimersScaleTest} measures the real total
     * (~260 B per timer after GC, small keys and shared messages included).
     */
    public static final long ENTRY_BYTES = 240;

    /**
     * For the memory cap, on the fiber: the keys and messages of the active timers (what they keep
     * alive until they fire), to be walked with the process's state so shared objects count once.
     */
    public synchronized Object[] retainedRoots() {
        Object[] roots = new Object[timers.size() * 2];
        int i = 0;
        for (Timer t : timers.values()) {
            roots[i++] = t.key;
            roots[i++] = t.message;
        }
        return roots;
    }

    /** {@link #ENTRY_BYTES} for each active timer. */
    public synchronized long entryBytes() {
        return timers.size() * ENTRY_BYTES;
    }

    private void cancelEvery() {
        for (Timer t : timers.values()) t.cancel();
        timers.clear();
    }

    private void checkOpen(String operation) {
        if (closed) throw new FencedException(owner, "timers." + operation);
    }

    private static long nanos(Duration d, String what, boolean positive) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || (positive && d.isZero())) {
            throw new IllegalArgumentException("timer " + what + " must be " + (positive ? "positive" : "zero or more") + ", was " + d);
        }
        return Math.min(io.rusm.internal.process.Deadlines.nanos(d), MAX_NANOS);
    }

    @Override
    public synchronized String toString() {
        return "Timers" + owner + timers.keySet();
    }
}
