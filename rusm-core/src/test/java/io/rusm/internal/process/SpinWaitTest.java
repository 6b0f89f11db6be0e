package io.rusm.internal.process;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.rusm.internal.process.SpinWait.MET;
import static io.rusm.internal.process.SpinWait.MISSES_TO_REST;
import static io.rusm.internal.process.SpinWait.REST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The spin before a park: only a fiber spins, it sees a condition met while it spins, a condition
 * never met costs a bounded spin after which the caller parks as before, and a site whose spins keep
 * running out in vain rests (parks at once) for a while, then tries again.
 */
@Timeout(30)
class SpinWaitTest {
    static final long BOUND = 5_000;

    /** Met on its {@code metAt}-th look (never for 0); counts the looks. */
    static final class Looks implements SpinWait.Condition {
        final AtomicInteger looks = new AtomicInteger();
        final int metAt;

        Looks(int metAt) {
            this.metAt = metAt;
        }

        @Override
        public boolean met() {
            int n = looks.incrementAndGet();
            return metAt > 0 && n >= metAt;
        }
    }

    @Test
    void a_condition_already_met_is_looked_at_once_and_clears_the_record() {
        Looks met = new Looks(1);
        assertThat(SpinWait.until(met, 3, BOUND)).isEqualTo(MET);
        assertThat(SpinWait.record(MET)).isZero();
        assertThat(met.looks).hasValue(1);
    }

    @Test
    void spinning_off_returns_the_record_at_once_without_a_look() {
        Looks met = new Looks(1);
        assertThat(SpinWait.until(met, 0, 0)).isZero();
        assertThat(met.looks).hasValue(0);
    }

    @Test
    void a_platform_thread_never_spins_and_leaves_the_record_alone() {
        Looks never = new Looks(0);
        assertThat(SpinWait.until(never, 2, BOUND)).isEqualTo(2);
        assertThat(never.looks).hasValue(1);
    }

    @Test
    void a_fiber_sees_a_condition_met_while_it_spins() throws Exception {
        // the spin is skipped while a task is queued for a carrier, so on a busy machine a try may
        // end at once: some try sees the condition met on its third look
        await().atMost(Duration.ofSeconds(10)).until(() -> onFiber(() -> SpinWait.until(new Looks(3), 0, BOUND) == MET));
    }

    @Test
    void a_condition_never_met_ends_the_spin_within_its_bound_and_counts_a_miss() throws Exception {
        long[] elapsed = new long[1];
        // a try may be skipped (a task queued): some try spins its bound out and counts one miss
        await().atMost(Duration.ofSeconds(10)).until(() -> onFiber(() -> {
            long t0 = System.nanoTime();
            int record = SpinWait.until(new Looks(0), 0, BOUND);
            elapsed[0] = System.nanoTime() - t0;
            return record;
        }) == 1);
        // wide margin over the bound (5 µs): a descheduled carrier may stretch it, never by seconds
        assertThat(elapsed[0]).isLessThan(1_000_000_000L);
    }

    @Test
    void a_site_that_missed_in_a_row_rests_without_a_look_then_tries_again() throws Exception {
        Looks never = new Looks(0);
        int record = MISSES_TO_REST;
        for (int i = 0; i < REST; i++) record = SpinWait.until(never, record, BOUND);
        assertThat(never.looks).as("no look while resting").hasValue(0);
        assertThat(record).isEqualTo(MISSES_TO_REST + REST);
        // the try after the rest: a miss rests again, a met try clears the record
        await().atMost(Duration.ofSeconds(10)).until(() -> onFiber(() -> SpinWait.until(new Looks(0), MISSES_TO_REST + REST, BOUND)) == MISSES_TO_REST);
        await().atMost(Duration.ofSeconds(10)).until(() -> onFiber(() -> SpinWait.until(new Looks(3), MISSES_TO_REST + REST, BOUND)) == MET);
    }

    @Test
    void a_process_answers_calls_and_stops_with_the_spin_as_configured() throws Exception {
        try (Node node = Node.create()) {
            node.spawn(SpawnOptions.named("echo"), message -> message);
            int replies = onFiber(() -> {
                int n = 0;
                for (int i = 0; i < 10_000; i++) {
                    if (node.call("echo", i, Duration.ofSeconds(5)).equals(i)) n++;
                }
                return n;
            });
            assertThat(replies).isEqualTo(10_000);
            // the process is between messages (spinning or parked): a stop still ends it at once
            Pid pid = node.whereis("echo").orElseThrow();
            node.stop(pid, Duration.ofSeconds(5));
            assertThat(node.isAlive(pid)).isFalse();
        }
    }

    @Test
    void a_process_whose_messages_come_seldom_stops_spinning_for_them() throws Exception {
        if (SpinWait.NANOS <= 0) return; // spinning turned off for this run
        try (Node node = Node.create()) {
            node.spawn(SpawnOptions.named("seldom"), message -> message);
            Mailbox mailbox = node.runtime().byName("seldom").mailbox();
            // a message every 2 ms, far beyond the 5 µs bound: the process's spins run out in vain
            AtomicBoolean done = new AtomicBoolean();
            Thread sender = Thread.ofVirtual().start(() -> {
                while (!done.get()) {
                    node.send("seldom", 1);
                    LockSupport.parkNanos(2_000_000); // the pace of the load, not a synchronization
                }
            });
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> mailbox.messageSpins >= MISSES_TO_REST);
            } finally {
                done.set(true);
                sender.join(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void callers_whose_replies_come_late_stop_spinning_for_them() throws Exception {
        if (SpinWait.NANOS <= 0) return;
        try (Node node = Node.create()) {
            java.util.concurrent.Semaphore busy = new java.util.concurrent.Semaphore(0);
            node.spawn(SpawnOptions.named("slow"), message -> {
                if ("slow".equals(message)) {
                    busy.release();
                    LockSupport.parkNanos(1_000_000); // what is queued behind it is answered a millisecond later
                }
                return message;
            });
            Mailbox mailbox = node.runtime().byName("slow").mailbox();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                // Called while the process is busy in a handler (not parked in its mailbox): the call
                // wakes nobody, so no woken fiber waits in the scheduler and the caller does spin
                // (it would skip its spin for a woken callee queued on its own carrier).
                onFiber(() -> {
                    node.send("slow", "slow");
                    if (!busy.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("never busy");
                    return node.call("slow", 1, Duration.ofSeconds(5));
                });
                return mailbox.replySpins >= MISSES_TO_REST;
            });
        }
    }

    private static <T> T onFiber(Callable<T> body) throws Exception {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                out.set(body.call());
            } catch (Throwable e) {
                out.set(e);
            }
        });
        t.join(Duration.ofSeconds(10));
        assertThat(t.isAlive()).as("the fiber finished").isFalse();
        if (out.get() instanceof Throwable e) throw new AssertionError(e);
        @SuppressWarnings("unchecked") T r = (T) out.get();
        return r;
    }
}
