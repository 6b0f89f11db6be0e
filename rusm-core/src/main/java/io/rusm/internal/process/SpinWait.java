package io.rusm.internal.process;

/**
 * A short spin before a fiber parks in one of rusm's two hot waits: a caller waiting for its reply
 * ({@link SyncCall}) and a process waiting for its next message ({@link Mailbox}).
 *
 * <p><b>Why.</b> A park and the unpark that ends it cost far more than the work between them: the
 * unpark submits the fiber to the scheduler, which wakes an idle carrier (a futex wake and a
 * context switch, several µs on a 2-core machine), while a fast handler answers well within a
 * microsecond. A waiter that spins a few µs first usually sees its reply or message arrive, and
 * whoever sent it finds it running and unparks nobody. OTP's schedulers busy-wait the same way
 * before they sleep.
 *
 * <p><b>Off unless asked for</b> ({@code -Drusm.spin-nanos=5000}). It halves a one-caller round trip
 * on an otherwise idle JVM, but the gate sees only the virtual-thread scheduler's queues, not the
 * platform threads (a gRPC transport's event loops, a web server's, other JVMs on the same cores)
 * that need the cores a spinning fiber holds: with three cluster JVMs on two cores, cross-node calls
 * took 2-3 times as long with it on (BENCHMARKS.md, <i>Spin before park</i>).
 *
 * <p><b>Cost.</b> Only a virtual thread spins, and only while no task waits in the scheduler's
 * queues (looked at before and during the spin): a spinning fiber holds its carrier, so under load
 * it parks at once as before. The spin is bounded by {@link #NANOS} of wall time; a fiber that
 * spun in vain parks as it would have without it.
 */
final class SpinWait {
    /** How long a waiter spins at most (property {@code rusm.spin-nanos}; zero turns spinning off). */
    static final long NANOS = Long.getLong("rusm.spin-nanos", 0);
    /** Spins between two looks at the clock and the scheduler's queues. */
    private static final int LOOK_EVERY = 32;

    /** What a waiter waits for; implemented by the waiting object itself, so a spin allocates nothing. */
    interface Condition {
        boolean met();
    }

    private SpinWait() {}

    /** Spins until {@code c} is met, within the bounds above; true when it is (the caller need not park). */
    static boolean until(Condition c) {
        return until(c, NANOS);
    }

    /**
     * {@link #until(Condition)} with a bound of {@code nanos}. Zero: false at once, without a look
     * (both waits have just looked, and look again on their way to the park), so spinning off adds
     * nothing to either.
     */
    static boolean until(Condition c, long nanos) {
        if (nanos <= 0) return false;
        if (c.met()) return true;
        if (!Thread.currentThread().isVirtual() || FiberWakeups.anyQueued()) return false;
        long start = System.nanoTime();
        for (int i = 1; ; i++) {
            Thread.onSpinWait();
            if (c.met()) return true;
            if (i % LOOK_EVERY == 0
                    && (System.nanoTime() - start >= nanos || FiberWakeups.anyQueued())) return c.met();
        }
    }
}
