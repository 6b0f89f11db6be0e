package io.rusm.internal.process;

import io.rusm.CallTimeoutException;
import io.rusm.Node;
import io.rusm.Pid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Call timeouts through the deadline wheel (callers park without a timeout): a timeout never fires
 * early and fires soon after its deadline; thousands of callers with mixed timeouts each get theirs;
 * answered calls leave nothing linked; and the wheel sleeps once nobody waits.
 */
@Timeout(60)
class CallDeadlinesTest {
    private final Node node = Node.create();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        node.close();
    }

    /** A process that never answers while the test runs (its first message blocks it): every call to it times out. */
    private Pid silent() {
        return node.spawn(message -> {
            release.await(60, TimeUnit.SECONDS);
            return null;
        });
    }

    @Test
    void aTimeoutNeverFiresBeforeItsDeadlineAndFiresSoonAfter() {
        Pid p = silent();
        for (long ms : new long[] {1, 20, 150}) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> node.call(p, "hello", Duration.ofMillis(ms))).isInstanceOf(CallTimeoutException.class);
            long took = System.nanoTime() - t0;
            assertThat(took).as("never before the deadline").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(ms));
            assertThat(took).as("soon after it (wide margin)").isLessThan(TimeUnit.MILLISECONDS.toNanos(ms + 2_000));
        }
    }

    @Test
    void deadlinesAnywhereInATickFireThatTurnNotAWholeTurnLater() {
        Pid p = silent();
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) { // 100 deadlines at every offset within a tick
            assertThatThrownBy(() -> node.call(p, "x", Duration.ofNanos(2_300_000))).isInstanceOf(CallTimeoutException.class);
        }
        long took = System.nanoTime() - t0;
        // each fires within a few ticks; one that waited for the wheel's next turn (~1 s) would add up fast
        assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void thousandsOfCallersWithMixedTimeoutsEachTimeOutAndNothingStaysLinked() throws Exception {
        Pid p = silent();
        int callers = 5_000;
        AtomicInteger timedOut = new AtomicInteger();
        AtomicLong early = new AtomicLong();
        CountDownLatch done = new CountDownLatch(callers);
        for (int i = 0; i < callers; i++) {
            long ms = 5 + (i % 7) * 40L; // 5 ms .. 245 ms: many slots, some far apart
            Thread.ofVirtual().start(() -> {
                long t0 = System.nanoTime();
                try {
                    node.call(p, "x", Duration.ofMillis(ms));
                } catch (CallTimeoutException e) {
                    timedOut.incrementAndGet();
                    if (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(ms)) early.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(timedOut.get()).isEqualTo(callers);
        assertThat(early.get()).as("timeouts before their deadline").isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> CallDeadlines.waitingCalls() == 0);
    }

    @Test
    void answeredCallsUnlinkThemselvesAndTheWheelSleepsWhenNobodyWaits() throws Exception {
        // calls other tests of this JVM may still have waiting (the wheel is the JVM's): the baseline
        await().atMost(Duration.ofSeconds(10)).until(() -> CallDeadlines.waitingCalls() == 0);
        Pid echo = node.spawn(message -> message);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2_000; i++) assertThat((Object) node.call(echo, i, Duration.ofSeconds(30))).isEqualTo(i);
            }));
        }
        for (Thread t : threads) assertThat(t.join(Duration.ofSeconds(30))).isTrue();
        // 32,000 answered calls with a 30 s timeout: none of them may still be linked
        assertThat(CallDeadlines.waitingCalls()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(CallDeadlines::sleeping);
        // and a call after the wheel slept still times out (its registration woke the wheel)
        Pid p = silent();
        assertThatThrownBy(() -> node.call(p, "late", Duration.ofMillis(50))).isInstanceOf(CallTimeoutException.class);
    }
}
