package io.rusm.internal.process;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Fresh virtual threads, started ahead and parked, that a process's loop is handed to when it
 * wakes from hibernation.
 *
 * <p><b>Why.</b> {@code Thread.start} of a virtual thread always goes to the scheduler's
 * <em>external</em> queue (JDK 25, {@code VirtualThread.start}), even from a carrier, and carriers
 * look there only once their own queues run dry: next to a load that keeps every carrier busy, a
 * process that woke from hibernation could wait for as long as the load lasts. Unparking a parked
 * spare from a carrier puts it on that carrier's local queue instead, so a wake-up from a fiber
 * costs what an ordinary message to a parked process costs (from a plain thread it is an external
 * submission, as a start is). The spare that was used is replaced from the same call, off its
 * critical path; while every carrier stays busy the replacements wait to start, and once the
 * spares are used up a wake-up starts its fiber directly.
 *
 * <p>A spare serves one process and ends with it (or when the process hibernates again): it is
 * never reused, so no thread-local of one service's code is seen by another's. A spare is offered
 * only once it runs, so one taken here is parked (or about to), never waiting in a queue to start.
 * Its cost: a thread that parked shallow before it parks deep keeps a larger stack chunk (about
 * 1 KB more, JDK 25) for as long as it lives; a woken process's fiber lives until it hibernates
 * again, so first starts do not use spares (see {@link Process#start}).
 */
final class SpareFibers {
    /** How many spares to keep parked; a burst beyond it starts fibers directly. */
    private static final int TARGET = 16;

    private static final ConcurrentLinkedQueue<Spare> spares = new ConcurrentLinkedQueue<>();
    /** Spares parked or being started. */
    private static final AtomicInteger supply = new AtomicInteger();
    /** A factory, not the builder itself: a builder is not safe for concurrent use, its factory is. */
    private static final java.util.concurrent.ThreadFactory FIBERS =
            Thread.ofVirtual().name("rusm-spare").inheritInheritableThreadLocals(false).factory();

    private SpareFibers() {}

    /** Runs {@code body} on a fiber of its own: a parked spare, or a new virtual thread. */
    static void run(Runnable body) {
        Spare s = spares.poll();
        refill();
        if (s != null) s.give(body);
        else FIBERS.newThread(body).start();
    }

    private static void refill() {
        for (int n; (n = supply.get()) < TARGET; ) {
            if (!supply.compareAndSet(n, n + 1)) continue;
            try {
                FIBERS.newThread(new Spare()::await).start();
            } catch (Throwable t) { // out of memory, or a scheduler that refuses: fresh threads then
                supply.decrementAndGet();
                return;
            }
        }
    }

    private static final class Spare {
        private volatile Thread thread;
        private volatile Runnable body;

        private void await() {
            thread = Thread.currentThread();
            spares.offer(this);
            Runnable b;
            while ((b = body) == null) LockSupport.park(this);
            body = null; // the thread object outlives the run in whatever still points at it: keep it small
            supply.decrementAndGet();
            b.run();
        }

        void give(Runnable body) {
            this.body = body;
            // From a carrier: onto its local queue. From a plain thread: the external queue, as a
            // start would be (a hand-over would make every spawn from a plain thread wait for one).
            LockSupport.unpark(thread);
        }
    }
}
