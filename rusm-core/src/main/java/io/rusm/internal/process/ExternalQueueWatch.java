package io.rusm.internal.process;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Bounds how long work submitted to the virtual-thread scheduler from outside its carriers waits
 * while rusm fibers keep every carrier busy: a virtual thread started or woken by a plain thread (a
 * web server's poller starting a request's thread, a timer thread, a test's thread), and any
 * virtual thread's start, which the JDK always submits externally (a new process's first fiber).
 *
 * <p><b>Why.</b> A carrier runs its local tasks until there are none before it looks at the
 * scheduler's external queues ({@code ForkJoinPool.WorkQueue.topLevelExec}), and every wake-up of
 * a fiber by a fiber is a local task. Services and their callers ping-ponging keep the local queues
 * full for good, so external work waited without bound: a virtual thread started behind 64 callers
 * of 8 services had not run after 14 minutes, and a process spawned there failed its start timeout.
 *
 * <p><b>How.</b> A watcher (a daemon platform thread) submits a probe every
 * {@value #PROBE_MICROS} µs while every carrier is busy: it wakes a parked virtual thread of its
 * own, which is an external submission. If the probe has not run {@value #STARVED_MICROS} µs later,
 * external work is starving, and until the probe runs every rusm fiber passing between two messages
 * yields to the external queue: a timed park of one nanosecond, which the JDK's timer thread ends
 * from outside the carriers, so the fiber queues up with the work that waited. With no fiber left to
 * wake another locally, the local queues run dry and the carriers take the external work; the probe
 * running ends the episode. While nothing starves this costs one volatile read per message and the
 * watcher's looks (only while the carriers are busy). As with Pekko's dispatcher throughput (not
 * OTP's reductions, which preempt inside a function), the yield comes only between messages: a
 * handler that computes for long holds its carrier; and virtual threads that are not rusm's and
 * ping-pong among themselves are not rusm's to interrupt.
 */
final class ExternalQueueWatch {
    /** How often the watcher submits a probe while every carrier is busy. */
    static final long PROBE_MICROS = 5_000;
    /** A probe waiting this long means external work is starving. */
    static final long STARVED_MICROS = 5_000;
    /** How often the watcher looks while some carrier is free (external work is then taken at once). */
    private static final long IDLE_LOOK_NANOS = 10_000_000;

    /** Set by the watcher when a probe waits too long, cleared by the probe when it runs. */
    private static volatile boolean starving;
    /** When the waiting probe was submitted; 0 once it ran. */
    private static volatile long probeSubmittedAt;
    private static final LongAdder episodes = new LongAdder();
    private static final LongAdder yields = new LongAdder();
    private static final Thread probe = Thread.ofVirtual().name("rusm-external-probe").unstarted(ExternalQueueWatch::probe);

    static {
        probeSubmittedAt = System.nanoTime(); // its start is an external submission too
        probe.start();
        Thread.ofPlatform().daemon(true).name("rusm-external-watch").start(ExternalQueueWatch::watch);
    }

    private ExternalQueueWatch() {
    }

    /**
     * Called by a fiber between two messages: while external work is starving, goes to the end of
     * the external queue (see the class comment). One volatile read otherwise.
     */
    static void yieldIfStarving() {
        if (!starving || !Thread.currentThread().isVirtual()) return;
        yields.increment();
        // Woken by the timer thread, from outside the carriers. An interrupt (a kill) or a pending
        // permit ends it early: harmless, the fiber goes on with its loop.
        LockSupport.parkNanos(ExternalQueueWatch.class, 1);
    }

    /** Episodes of starving external work so far (for tests and diagnosis). */
    static long episodes() {
        return episodes.sum();
    }

    /** Yields fibers made to end episodes so far (for tests and diagnosis). */
    static long yields() {
        return yields.sum();
    }

    private static void probe() {
        while (true) {
            probeSubmittedAt = 0;
            starving = false;
            LockSupport.park(ExternalQueueWatch.class);
        }
    }

    private static void watch() {
        while (true) {
            try {
                LockSupport.parkNanos(ExternalQueueWatch.class, look());
            } catch (Throwable t) { // a look's trouble must not end the watch for good
                LockSupport.parkNanos(ExternalQueueWatch.class, IDLE_LOOK_NANOS);
            }
        }
    }

    /** One look; returns how long to wait for the next. */
    private static long look() {
        long submitted = probeSubmittedAt;
        long now = System.nanoTime();
        if (submitted != 0) { // the probe has not run yet
            if (!starving && now - submitted >= STARVED_MICROS * 1_000) {
                episodes.increment();
                starving = true;
            }
            return PROBE_MICROS * 1_000;
        }
        if (!FiberWakeups.allCarriersBusy()) return IDLE_LOOK_NANOS; // a free carrier takes external work at once
        probeSubmittedAt = now;
        LockSupport.unpark(probe);
        return PROBE_MICROS * 1_000;
    }
}
