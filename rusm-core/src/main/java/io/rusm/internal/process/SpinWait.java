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
 * <p><b>Only where it pays</b> (the HotSpot monitors' adaptive spinning, per wait site). Each site
 * (a mailbox's consumer; the callers of one process) keeps a record of its recent spins: after
 * {@value #MISSES_TO_REST} spins in a row that ran out their bound in vain, it parks at once for
 * the next {@value #REST} waits and then tries one spin again. A spin is wasted CPU when what it
 * waits for comes later than its bound: a message from another JVM over the network, a reply after
 * an fsync. Those are the waits that stop spinning, so the cores they would hold stay with the
 * platform threads (a transport's event loops, other JVMs on the same cores) that the gate below
 * cannot see.
 *
 * <p><b>Cost.</b> Only a virtual thread spins, and only while no task waits in the scheduler's
 * queues (looked at before and during the spin): a spinning fiber holds its carrier, so under load
 * it parks at once as before. Such a skipped spin leaves the record alone: it says nothing about
 * how soon the site's messages come. The spin is bounded by {@link #NANOS} of wall time; a fiber
 * that spun in vain parks as it would have without it. {@code -Drusm.spin-nanos=0} turns it off
 * (BENCHMARKS.md, <i>Spin before park</i>: the figures with and without it).
 */
final class SpinWait {
    /** How long a waiter spins at most (property {@code rusm.spin-nanos}; zero turns spinning off). */
    static final long NANOS = Long.getLong("rusm.spin-nanos", 5_000);
    /** Spins in a row that found nothing within their bound, after which a site rests. */
    static final int MISSES_TO_REST = 4;
    /** Waits a resting site parks without a spin before it tries one again (a record stays within a byte: the mailbox keeps bytes). */
    static final int REST = 64;
    /** What {@link #until(Condition, int, long)} returns when the condition was met. */
    static final int MET = -1;
    /** Spins between two looks at the clock and the scheduler's queues. */
    private static final int LOOK_EVERY = 32;
    private static final int MISSED = 0, SKIPPED = 1;

    /** What a waiter waits for; implemented by the waiting object itself, so a spin allocates nothing. */
    interface Condition {
        boolean met();
    }

    private SpinWait() {}

    /** {@link #until(Condition, int, long)} with the configured bound. */
    static int until(Condition c, int record) {
        return until(c, record, NANOS);
    }

    /**
     * Spins until {@code c} is met, within the bounds above, if the site's {@code record} (zero for
     * a new site) says spinning pays there. Returns {@link #MET} when {@code c} was met (the caller
     * need not park; its record is then zero), otherwise the site's new record (never negative). A
     * zero bound: no spin and no look (both waits have just looked, and look again on their way
     * to the park), so spinning off adds nothing to either.
     *
     * <p>The record is a plain field of its site: two waiters of one site updating it at once may
     * lose one update, which only shifts when the site next spins.
     */
    static int until(Condition c, int record, long nanos) {
        if (nanos <= 0) return record;
        if (record >= MISSES_TO_REST && record < MISSES_TO_REST + REST) return record + 1; // resting
        return switch (spin(c, nanos)) {
            case MET -> MET;
            case MISSED -> record >= MISSES_TO_REST ? MISSES_TO_REST : record + 1; // a failed try after a rest rests again
            default -> record;
        };
    }

    /** The record {@link #until} returned, as the site keeps it. */
    static int record(int result) {
        return Math.max(result, 0);
    }

    private static int spin(Condition c, long nanos) {
        if (c.met()) return MET;
        if (!Thread.currentThread().isVirtual() || FiberWakeups.anyQueued()) return SKIPPED;
        long start = System.nanoTime();
        for (int i = 1; ; i++) {
            Thread.onSpinWait();
            if (c.met()) return MET;
            if (i % LOOK_EVERY == 0) {
                if (System.nanoTime() - start >= nanos) return c.met() ? MET : MISSED;
                if (FiberWakeups.anyQueued()) return c.met() ? MET : SKIPPED;
            }
        }
    }
}
