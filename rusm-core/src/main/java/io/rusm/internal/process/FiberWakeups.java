package io.rusm.internal.process;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes fibers from threads outside the virtual-thread scheduler (the {@code Kv} writer, a plain
 * thread calling or sending to a process, the call-deadline wheel) so that a woken fiber runs soon
 * even while every carrier is busy.
 *
 * <p><b>Why.</b> A virtual thread unparked from a platform thread goes to one of the scheduler
 * {@code ForkJoinPool}'s <em>external</em> submission queues, and a carrier looks at those only
 * when its own local queue has run dry ({@code WorkQueue.topLevelExec} runs local tasks until
 * there are none). Ping-ponging fibers — any busy service and its callers — keep the local queues
 * full, so a durable service whose put had long been made durable waited milliseconds to run
 * again, or seconds (issue 13: next to 64 callers of 8 plain services its calls timed out). Unparked
 * from a carrier instead, the fiber goes to the end of that carrier's local (FIFO) queue.
 *
 * <p><b>How.</b> Unless the pool is idle (no carrier active, nothing queued: the carrier woken
 * finds the submission, there is nothing else to take), a wake-up from outside is not submitted
 * but handed over: queued here, and taken out by the next rusm fiber that passes
 * {@link #handOut()} (between two messages of any process, before it parks), which unparks it from
 * its carrier. A carrier merely free for a moment is not enough: returning, it takes its next local
 * task or steals one before it looks at the external queue. A small daemon thread, asleep while
 * nothing is handed over, submits what no carrier took: at once once the pool is idle, after
 * {@value #GRACE_MICROS} µs once a carrier has stayed free for three looks 100 µs apart (the others
 * run work that is not rusm's), never while every carrier is busy (an external submission would
 * wait just as long). Waking a fiber twice is harmless (a park may always return early).
 *
 * <p>The same hazard comes from any lock a platform thread may hold while fibers wait for it (the
 * JDK resumes a fiber blocked on a monitor from its unblocker thread), which is why the call
 * deadline wheel's slots take a spin lock and the {@code Kv} writer's queue is lock-free. Virtual
 * threads that code outside rusm starts or wakes from a platform thread (a web server's poller
 * starting a request's thread) still go through the external queue; {@link ExternalQueueWatch}
 * bounds how long they wait there.
 */
public final class FiberWakeups {
    /** How long a handed-over wake-up waits for a carrier before the fallback submits it. */
    static final long GRACE_MICROS = 500;
    private static final long GRACE_NANOS = GRACE_MICROS * 1_000;
    /** How often the fallback looks again while it holds a wake-up. */
    private static final long POLL_NANOS = 100_000;
    /** Looks in a row, {@link #POLL_NANOS} apart, that must find a carrier free before it counts as free. */
    private static final int FREE_LOOKS = 3;

    /**
     * One wake-up of a parked thread, carried out by whoever claims it first: for a hand-over, a
     * carrier or the fallback; at {@link ExternalQueueWatch}'s gate, the probe or the fiber itself.
     */
    static final class Wakeup {
        private static final java.lang.invoke.VarHandle CLAIMED;
        static {
            try {
                CLAIMED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Wakeup.class, "claimed", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Thread thread;
        /** When it was made: the fallback's grace period counts from here. */
        final long at = System.nanoTime();
        private volatile boolean claimed;

        Wakeup(Thread thread) {
            this.thread = thread;
        }

        boolean claim() {
            return !claimed && CLAIMED.compareAndSet(this, false, true);
        }

        boolean claimed() {
            return claimed;
        }
    }

    private static final ConcurrentLinkedQueue<Wakeup> handed = new ConcurrentLinkedQueue<>();
    /** Fibers inside a blocking call that keeps their carrier ({@link #beginHoldingCarrier()}). */
    private static final AtomicInteger holdingCarrier = new AtomicInteger();
    /** Set after a hand-over, cleared by the fiber that takes them out: the one read on the hot path. */
    private static volatile boolean pending;
    private static final CarrierLoad load = CarrierLoad.probe();
    private static final Thread fallback = Thread.ofPlatform().daemon(true).name("rusm-fiber-wakeups")
            .unstarted(FiberWakeups::submitLeftovers);
    /** Set by the fallback before it parks without a timeout (a hand-over then unparks it). */
    private static volatile boolean fallbackIdle;
    /** Wake-ups handed over, and those of them the fallback had to submit (for tests and diagnosis). */
    private static final LongAdder handedOver = new LongAdder();
    private static final LongAdder submittedLate = new LongAdder();

    static {
        fallback.start();
    }

    private FiberWakeups() {
    }

    /** Wakes {@code thread} (null: nothing); a fiber woken from outside the scheduler is handed to a carrier unless the pool is idle. */
    public static void unpark(Thread thread) {
        if (thread == null) return;
        if (Thread.currentThread().isVirtual() || !thread.isVirtual() || load.idle()) {
            LockSupport.unpark(thread);
            return;
        }
        handedOver.increment();
        handed.offer(new Wakeup(thread));
        pending = true;
        if (fallbackIdle) {
            fallbackIdle = false;
            LockSupport.unpark(fallback);
        }
    }

    /**
     * Called by rusm fibers at points they pass often (between messages, before parking): unparks
     * the fibers handed over, from this carrier. One volatile read when there are none.
     */
    public static void handOut() {
        // Only a fiber can unpark from a carrier: a plain thread passing here (a platform caller
        // parking for its reply) would submit them externally, the very thing avoided.
        if (!pending || !Thread.currentThread().isVirtual()) return;
        pending = false; // cleared before the polls: a hand-over after the last poll sets it again
        for (Wakeup h; (h = handed.poll()) != null; ) {
            if (h.claim()) LockSupport.unpark(h.thread);
        }
    }

    /**
     * The fallback: submits a wake-up no carrier took, once that is safe. At once when the pool has
     * gone idle (no carrier active: the one woken finds it, there is nothing else to take); after
     * {@value #GRACE_MICROS} µs, counted from its own hand-over, when some carrier is free (the
     * carriers run work that is not rusm's, which never passes {@code handOut}). While every
     * carrier is busy it keeps holding it: submitted, it would wait in the external queue for as
     * long as they stay busy (seconds under a ping-pong load), and the next rusm fiber takes it here.
     */
    private static void submitLeftovers() {
        int freeLooks = 0; // consecutive looks that found a carrier free: one look may catch a carrier between two tasks
        while (true) {
            Wakeup h = handed.peek();
            if (h == null) {
                fallbackIdle = true;
                if (handed.isEmpty()) LockSupport.park(FiberWakeups.class);
                fallbackIdle = false;
                freeLooks = 0;
                continue;
            }
            freeLooks = load.allCarriersBusy() ? 0 : freeLooks + 1;
            boolean due = load.idle() || (System.nanoTime() - h.at >= GRACE_NANOS && freeLooks >= FREE_LOOKS);
            if (!due) {
                LockSupport.parkNanos(FiberWakeups.class, POLL_NANOS);
                continue;
            }
            if (h.claim()) { // external, as without this class
                submittedLate.increment();
                LockSupport.unpark(h.thread);
            }
            handed.remove(h); // the head, unless a carrier polled it meanwhile
        }
    }

    /**
     * Parks the calling thread as {@link LockSupport#park(Object)} does, after passing on the
     * wake-ups handed over ({@link #handOut()}): a carrier about to switch fibers, or to go idle, is
     * the moment nobody else might take them. Every park of rusm's own waits goes through here.
     */
    public static void park(Object blocker) {
        handOut();
        LockSupport.park(blocker);
    }

    /**
     * Marks the start of a blocking call during which the calling fiber keeps its carrier (the
     * {@code Kv} commit a fiber runs itself: its fsync). The JDK stops counting such a carrier as
     * active while it blocks, so without this the pool would look as if a carrier were free while
     * both run or hold a fiber, and the fallback would submit wake-ups externally, where ping-pong
     * on the other carriers keeps them waiting. A no-op on a platform thread.
     */
    public static void beginHoldingCarrier() {
        if (Thread.currentThread().isVirtual()) holdingCarrier.incrementAndGet();
    }

    /** Ends what {@link #beginHoldingCarrier()} began. */
    public static void endHoldingCarrier() {
        if (Thread.currentThread().isVirtual()) holdingCarrier.decrementAndGet();
    }

    /** Wake-ups handed over to carriers so far (rather than submitted at once). */
    public static long handedOver() {
        return handedOver.sum();
    }

    /** Of those, how many no carrier took within the grace period, so the fallback submitted them. */
    public static long submittedLate() {
        return submittedLate.sum();
    }

    /** Whether every carrier of the virtual-thread scheduler is running something now. */
    public static boolean allCarriersBusy() {
        return load.allCarriersBusy();
    }

    /** Whether a task waits in one of the virtual-thread scheduler's queues now. */
    static boolean anyQueued() {
        return load.anyQueued();
    }

    /** What the virtual-thread scheduler's carriers are doing now. */
    interface CarrierLoad {
        /** Every carrier is running something, or a task waits in a queue. */
        boolean allCarriersBusy();

        /** No carrier is active and nothing is queued: an external submission is taken at once. */
        boolean idle();

        /** A task waits in one of the scheduler's queues. */
        boolean anyQueued();

        /**
         * The JDK's {@code VirtualThreadSchedulerMXBean}: its mounted count is the pool's active
         * count (one field read), to which the carriers held in a blocking call are added back
         * ({@link #beginHoldingCarrier()}); its queued count sums the pool's few queues. Busy also while a
         * task is queued: a carrier free for a moment between two local tasks takes the next local
         * one, or steals, before it looks at an external submission. Without the bean (a runtime
         * image lacking {@code jdk.management}), always idle: the plain unpark.
         */
        static CarrierLoad probe() {
            try {
                jdk.management.VirtualThreadSchedulerMXBean bean = java.lang.management.ManagementFactory
                        .getPlatformMXBean(jdk.management.VirtualThreadSchedulerMXBean.class);
                if (bean != null && bean.getMountedVirtualThreadCount() >= 0) {
                    return new CarrierLoad() {
                        @Override
                        public boolean allCarriersBusy() {
                            return mounted() >= bean.getParallelism()
                                    || bean.getQueuedVirtualThreadCount() > 0;
                        }

                        @Override
                        public boolean idle() {
                            return mounted() == 0 && bean.getQueuedVirtualThreadCount() == 0;
                        }

                        /** Active carriers, and those held by a fiber in a blocking call (which the pool does not count). */
                        private int mounted() {
                            return bean.getMountedVirtualThreadCount() + holdingCarrier.get();
                        }

                        @Override
                        public boolean anyQueued() {
                            return bean.getQueuedVirtualThreadCount() > 0;
                        }
                    };
                }
            } catch (Throwable e) { // LinkageError, SecurityException: fall back to plain unparks
            }
            return new CarrierLoad() {
                @Override
                public boolean allCarriersBusy() {
                    return false;
                }

                @Override
                public boolean idle() {
                    return true;
                }

                @Override
                public boolean anyQueued() {
                    return false;
                }
            };
        }
    }
}
