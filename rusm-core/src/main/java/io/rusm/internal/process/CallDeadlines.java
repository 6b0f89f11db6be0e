package io.rusm.internal.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes synchronous callers whose timeout has passed, so a caller can wait for its reply with an
 * untimed park. A timed park ({@code LockSupport.parkNanos}) on a virtual thread schedules a task in
 * the JDK's delayed-task queue and cancels it again for every call: an allocation, a lock, a heap
 * insert and removal and often a wake-up of the timer thread, which measured here as the larger part
 * of a call round trip. Here a waiting call is linked into a wheel slot by its deadline (no
 * allocation: the call is the node) and unlinked by its caller when it wakes.
 *
 * <p>One daemon thread turns the wheel every {@value #TICK_MILLIS} ms while calls wait, and parks
 * without a timeout while none does (a registration wakes it). A slot is turned once its whole tick
 * is over, so a timeout fires up to two ticks (plus scheduling) after its deadline, never before it.
 */
public final class CallDeadlines {
    static final int TICK_MILLIS = 1;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
    /** Slots of the wheel: one turn is about a second; a deadline further off waits for its turn in its slot. */
    private static final int SLOTS = 1024;
    /**
     * Each tick's calls are spread over this many slots by their caller, so that callers whose calls
     * share a timeout (they all land in the same tick) do not all contend for one lock.
     */
    private static final int STRIPES = 8;

    static final CallDeadlines INSTANCE = new CallDeadlines();

    /**
     * One slot: a doubly linked list of waiting calls, guarded by a spin lock rather than a monitor.
     * All calls made within the same millisecond with the same timeout share a slot, so it is
     * contended; a virtual thread blocked on a contended monitor is resumed by the JDK's unblocker,
     * a platform thread, through the scheduler's external queue, where it can starve while busy
     * fibers keep the carriers' own queues full (see {@link FiberWakeups}). The critical sections
     * are a few pointer writes.
     */
    private static final class Slot {
        private static final VarHandle LOCKED;
        static {
            try {
                LOCKED = MethodHandles.lookup().findVarHandle(Slot.class, "locked", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        SyncCall head;
        private volatile boolean locked;

        void lock() {
            // Spins only: a virtual thread's yield with an empty local queue is an external
            // submission, the very thing avoided; a holder is never long (unless the OS preempts it).
            while (!LOCKED.compareAndSet(this, false, true)) Thread.onSpinWait();
        }

        void unlock() {
            locked = false;
        }
    }

    private final Slot[] slots = new Slot[SLOTS * STRIPES];
    private final Thread wheel;
    /** Calls linked now (striped: callers on different carriers do not contend). */
    private final LongAdder waiting = new LongAdder();
    /**
     * Set by the wheel before it parks without a timeout. A registration counts itself in
     * {@link #waiting} before it reads this, and the wheel sets this before it reads the count, so
     * one of them always sees the other: no call waits unwatched.
     */
    private volatile boolean idle;

    private CallDeadlines() {
        for (int i = 0; i < slots.length; i++) slots[i] = new Slot();
        wheel = Thread.ofPlatform().daemon(true).name("rusm-call-deadlines").unstarted(this::run);
        wheel.start();
    }

    /** Calls waiting for their deadline now (for leak checks). */
    public static long waitingCalls() {
        return INSTANCE.waiting.sum();
    }

    /** Whether the wheel sleeps without a timeout because no call waits (for tests). */
    public static boolean sleeping() {
        return INSTANCE.wheel.getState() == Thread.State.WAITING;
    }

    private Slot slotOf(SyncCall call) {
        int tick = (int) Math.floorMod(Math.floorDiv(call.deadline, TICK_NANOS), (long) SLOTS);
        return slots[tick * STRIPES + (int) (call.caller.threadId() & (STRIPES - 1))];
    }

    /** Links {@code call} (whose caller is about to park) under its deadline. */
    void register(SyncCall call) {
        waiting.increment();
        Slot s = slotOf(call);
        s.lock();
        try {
            call.nextWaiting = s.head;
            if (s.head != null) s.head.prevWaiting = call;
            s.head = call;
            call.waiting = true;
        } finally {
            s.unlock();
        }
        if (idle) {
            idle = false;
            LockSupport.unpark(wheel);
        }
    }

    /** Unlinks {@code call} (its caller woke: replied, timed out or interrupted); nothing if the wheel did already. */
    void unregister(SyncCall call) {
        Slot s = slotOf(call);
        s.lock();
        try {
            if (!call.waiting) return; // the wheel expired it, and counted it out
            unlink(s, call);
        } finally {
            s.unlock();
        }
        waiting.decrement();
    }

    private static void unlink(Slot s, SyncCall call) {
        SyncCall prev = call.prevWaiting;
        SyncCall next = call.nextWaiting;
        if (prev != null) prev.nextWaiting = next;
        else s.head = next;
        if (next != null) next.prevWaiting = prev;
        call.prevWaiting = null;
        call.nextWaiting = null;
        call.waiting = false;
    }

    private void run() {
        long lastTick = Math.floorDiv(System.nanoTime(), TICK_NANOS) - 2;
        while (true) {
            LockSupport.parkNanos(this, TICK_NANOS);
            long now = System.nanoTime();
            // the slots whose whole tick has passed since the last turn (all of them after a long pause):
            // every deadline of this turn in such a slot is over, the others wait for a later turn
            long tick = Math.floorDiv(now, TICK_NANOS) - 1;
            for (long t = Math.max(lastTick + 1, tick - SLOTS + 1); t <= tick; t++) {
                int first = (int) Math.floorMod(t, (long) SLOTS) * STRIPES;
                for (int i = first; i < first + STRIPES; i++) expire(slots[i], now);
            }
            lastTick = Math.max(lastTick, tick);
            if (waiting.sum() == 0) { // nobody waits: sleep until someone registers
                idle = true;
                if (waiting.sum() == 0) LockSupport.park(this);
                idle = false;
                lastTick = Math.max(lastTick, Math.floorDiv(System.nanoTime(), TICK_NANOS) - 2);
            }
        }
    }

    /** Wakes the callers in {@code s} whose deadline has passed. */
    private void expire(Slot s, long now) {
        s.lock();
        try {
            SyncCall c = s.head;
            while (c != null) {
                SyncCall next = c.nextWaiting;
                if (c.deadline - now <= 0) {
                    unlink(s, c);
                    waiting.decrement();
                    FiberWakeups.unpark(c.caller); // it sees its deadline passed and times out
                }
                c = next;
            }
        } finally {
            s.unlock();
        }
    }
}
