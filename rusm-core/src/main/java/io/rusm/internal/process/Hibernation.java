package io.rusm.internal.process;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets processes that stay idle give up their fiber (OTP's {@code hibernate_after}): the parked
 * fiber's stack is most of what an idle process costs (about 1 KB of a 1.6 KB raw process), and a
 * process needs none while its mailbox is empty. Its state is in its fields, not on the stack, so
 * the next message simply starts a fiber again ({@link Process#wake}, on a parked spare:
 * {@link SpareFibers}) that goes on where the last one stopped.
 *
 * <p>One daemon thread per JVM, started with the first process that may hibernate, looks every
 * {@value #PERIOD_MILLIS} ms at the processes that have a fiber. A process found parked in its
 * mailbox with no park since the last look is idle for that look; after its hibernate-after's worth
 * of idle looks it is asked to sleep: its fiber, unparked, ends (unless a message came, which it
 * handles). Not while one of its timers is due within its hibernate-after, or overdue (an overloaded
 * node's ticks are late): it would only be woken again at once. Processes asleep are not looked at,
 * so a million idle services cost nothing here.
 * Hibernate-after zero is handled by the process itself, which lets its fiber go whenever its
 * mailbox is empty (no looks; every message burst then starts a fiber).
 */
final class Hibernation {
    static final long PERIOD_MILLIS = 250;
    private static final long PERIOD_NANOS = PERIOD_MILLIS * 1_000_000;
    /** At most this many fibers asked to end per look: each is an unpark the scheduler must run. */
    private static final int MAX_ASKED_PER_LOOK = 65_536;
    /** Hibernate-after values from this one up never hibernate (the looks would not fit an int). */
    static final Duration NEVER = Duration.ofMillis(PERIOD_MILLIS * Integer.MAX_VALUE);

    private static final Set<Process> awake = ConcurrentHashMap.newKeySet();
    private static volatile Thread sweeper;

    private Hibernation() {}

    /** A process's looks before it hibernates, for a hibernate-after of {@code after}: 0 at once, -1 never. */
    static int looks(Duration after) {
        if (after.isZero()) return 0;
        if (after.compareTo(NEVER) >= 0) return -1;
        long millis = after.toMillis();
        return (int) Math.max(1, (millis + PERIOD_MILLIS - 1) / PERIOD_MILLIS);
    }

    /** {@code p} has a fiber (it started, or woke): watch it for idleness. */
    static void watch(Process p) {
        if (p.hibernateLooks <= 0) return;
        awake.add(p);
        if (sweeper == null) startSweeper();
    }

    /** {@code p} ended: nothing to watch. */
    static void forget(Process p) {
        if (p.hibernateLooks > 0) awake.remove(p);
    }

    private static synchronized void startSweeper() {
        if (sweeper != null) return;
        sweeper = Thread.ofPlatform().daemon(true).name("rusm-hibernation").start(Hibernation::run);
    }

    private static void run() {
        while (true) {
            LockSupport.parkNanos(Hibernation.class, PERIOD_MILLIS * 1_000_000);
            try {
                look();
            } catch (Throwable t) { // one look's trouble must not end hibernation for good
            }
        }
    }

    private static void look() {
        int asked = 0;
        for (Process p : awake) {
            Mailbox m = p.mailbox;
            if (!p.isAlive()) {
                awake.remove(p);
            } else if (m.asleep()) {
                awake.remove(p);
                if (!m.asleep()) awake.add(p); // woken meanwhile, and its waker's watch may have come first
            } else if (!m.consumerParked() || m.parks() != m.sweptParks) {
                m.sweptParks = m.parks(); // a park since the last look (or none yet): idle from here
                m.idleLooks = 0;
            } else if (++m.idleLooks >= p.hibernateLooks && asked < MAX_ASKED_PER_LOOK) {
                m.idleLooks = 0;
                // A tick due before it would have idled this long again (or one already late) wakes it right away.
                if (p.timerDueWithin(p.hibernateLooks * PERIOD_NANOS)) continue;
                asked++;
                m.askToSleep();
            }
        }
    }
}
