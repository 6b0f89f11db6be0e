package io.rusm.kv;

import jdk.management.VirtualThreadSchedulerMXBean;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a caller waits for the writer to make its write durable, so that a durable service is not
 * starved by a busy neighbour.
 *
 * <p>The cause of the starvation: the writer is a platform thread, so completing a write's future
 * unparks the waiting fiber through an <em>external</em> submission queue of the virtual-thread
 * scheduler (a {@code ForkJoinPool}). A carrier drains its own local queue completely before it looks
 * at other queues ({@code WorkQueue.topLevelExec}), and while neighbours ping-pong between virtual
 * threads (each wake-up pushed onto the waker's local queue) the local queues are never empty: the
 * woken fiber waited tens of milliseconds per put (a durable counter fell from 2,700 to 85 puts/s
 * next to 64 callers of a plain service, {@code KvNextToBusyNeighbourTest}). Timed parks do not
 * help: their expiry is submitted externally too.
 *
 * <p>The remedy: while other virtual threads keep every carrier busy, a virtual thread waits by
 * {@link Thread#yield() yielding}, which puts it at the back of its carrier's local queue; it runs
 * again after the work queued before it, like any other virtual thread, and sees its write done
 * within a round of the queue instead of waiting for the carriers to run dry. When a carrier is
 * free (fewer runnable virtual threads than carriers, not counting writers waiting like this) it
 * parks as before: a free carrier scans the external queues, so the wake-up is found at once, and
 * carriers never spin through an fsync with nothing else to do.
 */
final class DurableWait {
    private static final VirtualThreadSchedulerMXBean SCHEDULER = scheduler();
    /** Virtual threads yielding in {@link #get} right now: queued, but not work that we yield to. */
    private static final AtomicInteger YIELDING = new AtomicInteger();
    private static final long MIN_PARK_MICROS = 100;
    private static final long MAX_PARK_MICROS = 5_000;
    private static final int PARALLELISM = SCHEDULER == null ? 0 : SCHEDULER.getParallelism();

    private DurableWait() {}

    /** {@link CompletableFuture#get()}, yielding instead of parking while the scheduler is busy. */
    static <T> T get(CompletableFuture<T> done) throws InterruptedException, ExecutionException {
        Thread self = Thread.currentThread();
        if (SCHEDULER == null || !self.isVirtual()) return done.get();
        YIELDING.incrementAndGet();
        try {
            long parkMicros = MIN_PARK_MICROS;
            while (!done.isDone()) {
                if (self.isInterrupted()) break; // get() below throws
                if (carriersBusy()) {
                    Thread.yield();
                    parkMicros = MIN_PARK_MICROS;
                } else {
                    // A free carrier finds the external wake-up (or this timer) at once; but if the
                    // carriers get busy meanwhile, the park ends by itself and this loop yields.
                    try {
                        return done.get(parkMicros, TimeUnit.MICROSECONDS);
                    } catch (TimeoutException e) {
                        parkMicros = Math.min(MAX_PARK_MICROS, parkMicros * 2);
                    }
                }
            }
        } finally {
            YIELDING.decrementAndGet();
        }
        return done.get();
    }

    /**
     * Whether runnable virtual threads (mounted or queued), not counting writers waiting here (the
     * caller is one of them), are enough to occupy every carrier.
     */
    private static boolean carriersBusy() {
        long others = SCHEDULER.getMountedVirtualThreadCount() + SCHEDULER.getQueuedVirtualThreadCount() - YIELDING.get();
        return others >= PARALLELISM;
    }

    private static VirtualThreadSchedulerMXBean scheduler() {
        try {
            return ManagementFactory.getPlatformMXBean(VirtualThreadSchedulerMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            return null; // no jdk.management: plain parking
        }
    }
}
