package io.rusm.internal.process;

import java.util.concurrent.ConcurrentLinkedQueue;
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
 * external work is starving: an episode begins, in which every rusm fiber passing between two
 * messages parks at a gate. With no fiber left to wake another, the carriers' local queues run
 * dry and the carriers take the external work, the probe among it. The probe, once it runs, lets
 * what is still queued go ahead of it (a few yields), then ends the episode and opens the gate: it
 * unparks the fibers from its carrier, so they go on from local queues and none is left behind in
 * the external one. A kill ends a fiber's wait at once; otherwise it waits at most
 * {@value #GATE_MICROS} µs, after which the JDK's timer wakes it, and that wake-up is an external
 * submission too. So when the carriers are kept busy by work that is not rusm's (foreign virtual
 * threads ping-ponging among themselves, which starve every external submission, a rusm call's
 * timeout included), a fiber caught at the gate waits with everything else until that work lets
 * up. Tried and not kept: a gatekeeper fiber waiting out a failed episode with yields, so that no
 * wake-up would have to come from outside; its yields, external whenever its carrier's queue ran
 * dry, stranded it as well in some runs.
 *
 * <p>While nothing starves this costs one volatile read per message and the watcher's looks (only
 * while the carriers are busy). As with Pekko's dispatcher throughput (not OTP's reductions, which
 * preempt inside a function), the gate is only between messages: a handler that computes for long
 * holds its carrier; and virtual threads that are not rusm's and ping-pong among themselves are not
 * rusm's to stop.
 */
final class ExternalQueueWatch {
    /** How often the watcher submits a probe while every carrier is busy. */
    static final long PROBE_MICROS = 5_000;
    /** A probe waiting this long means external work is starving. */
    static final long STARVED_MICROS = 5_000;
    /** The longest a fiber waits at the gate. */
    static final long GATE_MICROS = 10_000;
    /** How often the probe lets queued work go ahead of it before it opens the gate. */
    private static final int MAX_PROBE_YIELDS = 16;
    /** How often the watcher looks while some carrier is free (external work is then taken at once). */
    private static final long IDLE_LOOK_NANOS = 10_000_000;

    /** Set by the watcher when a probe waits too long; cleared by the probe when it runs. */
    private static volatile boolean starving;
    /** When the waiting probe was submitted; 0 once it ran. */
    private static volatile long probeSubmittedAt;
    /** Fibers waiting at the gate during an episode. */
    private static final ConcurrentLinkedQueue<FiberWakeups.Wakeup> gate = new ConcurrentLinkedQueue<>();
    private static final LongAdder episodes = new LongAdder();
    private static final LongAdder gated = new LongAdder();
    private static final Thread probe = Thread.ofVirtual().name("rusm-external-probe").unstarted(ExternalQueueWatch::probe);

    static {
        probeSubmittedAt = System.nanoTime(); // its start is an external submission too
        probe.start();
        Thread.ofPlatform().daemon(true).name("rusm-external-watch").start(ExternalQueueWatch::watch);
    }

    private ExternalQueueWatch() {
    }

    /**
     * Called by a fiber between two messages: while external work is starving, waits at the gate
     * until the probe has run (see the class comment). One volatile read otherwise.
     */
    static void waitIfStarving() {
        if (!starving || !Thread.currentThread().isVirtual()) return;
        gated.increment();
        FiberWakeups.Wakeup me = new FiberWakeups.Wakeup(Thread.currentThread()); // let through by the probe, or by itself
        gate.offer(me);
        // Publish, then check; the probe clears the flag, then drains the gate: one of us sees the other.
        long until = System.nanoTime() + GATE_MICROS * 1_000;
        while (starving && !me.claimed() && !Thread.currentThread().isInterrupted()) {
            long left = until - System.nanoTime();
            if (left <= 0) break;
            LockSupport.parkNanos(ExternalQueueWatch.class, left);
        }
        if (me.claim()) gate.remove(me); // the probe did not (the episode ended first, or the wait ran out)
    }

    /** Episodes of starving external work so far (for tests and diagnosis). */
    static long episodes() {
        return episodes.sum();
    }

    /** Times a fiber waited at the gate so far (for tests and diagnosis). */
    static long gated() {
        return gated.sum();
    }

    private static void probe() {
        while (true) {
            probeSubmittedAt = 0;
            if (starving) {
                // Let what was queued with the probe go first: with the gate shut the local queues are
                // empty, so a yield puts the probe at the end of an external queue.
                for (int i = 0; i < MAX_PROBE_YIELDS && FiberWakeups.anyQueued(); i++) Thread.yield();
                starving = false;
                // From this carrier: the fibers go to its local queue (the other carriers steal them).
                for (FiberWakeups.Wakeup w; (w = gate.poll()) != null; ) {
                    if (w.claim()) LockSupport.unpark(w.thread);
                }
            }
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
