package io.rusm.internal.process;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The spin before a park (off by default; these tests give it a bound of their own): only a fiber
 * spins, it sees a condition met while it spins, and a condition never met costs a bounded spin,
 * after which the caller parks as before.
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
    void a_condition_already_met_is_looked_at_once() {
        Looks met = new Looks(1);
        assertThat(SpinWait.until(met, BOUND)).isTrue();
        assertThat(met.looks).hasValue(1);
    }

    @Test
    void spinning_off_returns_at_once_without_a_look() {
        Looks met = new Looks(1);
        assertThat(SpinWait.until(met, 0)).isFalse();
        assertThat(met.looks).hasValue(0);
    }

    @Test
    void a_platform_thread_never_spins() {
        Looks never = new Looks(0);
        assertThat(SpinWait.until(never, BOUND)).isFalse();
        assertThat(never.looks).hasValue(1);
    }

    @Test
    void a_fiber_sees_a_condition_met_while_it_spins() {
        // the spin is skipped while a task is queued for a carrier, so on a busy machine a try may
        // end at once: some try sees the condition met on its third look
        await().atMost(Duration.ofSeconds(10)).until(() -> onFiber(() -> SpinWait.until(new Looks(3), BOUND)));
    }

    @Test
    void a_condition_never_met_ends_the_spin_within_its_bound() throws Exception {
        long[] elapsed = new long[1];
        Looks never = new Looks(0);
        boolean met = onFiber(() -> {
            long t0 = System.nanoTime();
            boolean m = SpinWait.until(never, BOUND);
            elapsed[0] = System.nanoTime() - t0;
            return m;
        });
        assertThat(met).isFalse();
        // wide margin over the bound (5 µs): a descheduled carrier may stretch it, never by seconds
        assertThat(elapsed[0]).isLessThan(1_000_000_000L);
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
