package io.rusm.internal.process;

import io.rusm.Node;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Wake-ups of fibers from plain threads while every carrier is busy (issue 13 item 2): handed to
 * a carrier running rusm code, or, when the carriers run only foreign work, submitted by the
 * fallback. Never lost, either way.
 */
@Timeout(60)
class FiberWakeupsTest {
    private final Node node = Node.create();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> load = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : load) t.join(Duration.ofSeconds(10));
        node.close();
    }

    @Test
    void a_wake_up_from_a_plain_thread_while_rusm_fibers_keep_every_carrier_busy_is_handed_to_a_carrier() throws Exception {
        node.spawn(SpawnOptions.named("plain"), message -> message);
        for (int i = 0; i < 64; i++) {
            load.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) node.call("plain", "bump", Duration.ofSeconds(5));
            }));
        }
        // one serial service and its callers keep two carriers busy; a machine with many more may not be
        assumeTrue(eventually(FiberWakeups::allCarriersBusy), "64 callers of one service did not keep every carrier busy here");

        long handedBefore = FiberWakeups.handedOver();
        long lateBefore = FiberWakeups.submittedLate();
        int rounds = 200;
        long[] latencies = wakeParkedFiberFromPlainThread(rounds);

        long handed = FiberWakeups.handedOver() - handedBefore;
        long late = FiberWakeups.submittedLate() - lateBefore;
        String report = "handed over " + handed + " of " + rounds + ", submitted late " + late + ", mean wake-up "
                + mean(latencies) / 1000 + " µs";
        System.out.println("[fiber-wakeups] " + report);
        // Wake-ups that found every carrier busy were handed over (the others, made while a carrier
        // was between tasks, went out at once), and the carriers took them: the fallback (after
        // 500 µs) submitted few of them, if any.
        assertThat(handed).as(report).isGreaterThanOrEqualTo(10);
        assertThat(late).as(report).isLessThanOrEqualTo(handed / 2);
    }

    @Test
    void a_wake_up_handed_over_while_the_carriers_run_only_foreign_work_is_submitted_by_the_fallback_once_they_are_free() throws Exception {
        int carriers = java.lang.Runtime.getRuntime().availableProcessors();
        CountDownLatch spinning = new CountDownLatch(carriers);
        AtomicBoolean released = new AtomicBoolean();
        // the fiber to wake parks first: once the spinners hold the carriers nothing else runs
        ParkedFiber sleeper = ParkedFiber.start();
        // Virtual threads that hold every carrier without ever passing through rusm (never yield,
        // never park) until released: no carrier can take a handed-over wake-up.
        for (int i = 0; i < carriers; i++) {
            load.add(Thread.ofVirtual().start(() -> {
                spinning.countDown();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!released.get() && !stop.get() && System.nanoTime() < until) Thread.onSpinWait();
            }));
        }
        assertThat(spinning.await(10, TimeUnit.SECONDS)).as("the spinners got the carriers").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(FiberWakeups::allCarriersBusy);

        long handedBefore = FiberWakeups.handedOver();
        long lateBefore = FiberWakeups.submittedLate();
        sleeper.wakeFromHere();
        assertThat(FiberWakeups.handedOver()).as("handed over: every carrier was busy").isGreaterThan(handedBefore);
        // Held while the carriers stay crowded (an external submission would wait just as long),
        // submitted by the fallback once they are free: no rusm fiber runs here to take it.
        released.set(true);
        assertThat(sleeper.fiber().join(Duration.ofSeconds(10))).as("the woken fiber ran once the carriers were free").isTrue();
        assertThat(sleeper.wokeAt().get()).isPositive();
        assertThat(FiberWakeups.submittedLate()).as("submitted by the fallback").isGreaterThan(lateBefore);
    }

    @Test
    void a_wake_up_while_a_carrier_is_free_is_submitted_at_once() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> !FiberWakeups.allCarriersBusy());
        long handedBefore = FiberWakeups.handedOver();
        long[] latencies = wakeParkedFiberFromPlainThread(50);
        assertThat(java.util.Arrays.stream(latencies).max().orElseThrow()).isLessThan(TimeUnit.SECONDS.toNanos(1));
        // nothing busy here: no reason to hand anything over (a stray background task may, rarely)
        assertThat(FiberWakeups.handedOver() - handedBefore).isLessThan(25);
    }

    /** Parks a fiber {@code rounds} times and wakes it from this (plain) thread; each wake-up's latency. */
    private static long[] wakeParkedFiberFromPlainThread(int rounds) throws InterruptedException {
        long[] latencies = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            ParkedFiber parked = ParkedFiber.start();
            long t0 = System.nanoTime();
            parked.wakeFromHere();
            assertThat(parked.fiber().join(Duration.ofSeconds(10))).as("woken fiber %d ran", i).isTrue();
            latencies[i] = parked.wokeAt().get() - t0;
        }
        return latencies;
    }

    /** A fiber parked until {@link #wakeFromHere()}, which notes when it ran again. */
    private record ParkedFiber(Thread fiber, AtomicBoolean go, AtomicLong wokeAt) {
        static ParkedFiber start() throws InterruptedException {
            AtomicBoolean go = new AtomicBoolean();
            AtomicLong wokeAt = new AtomicLong();
            CountDownLatch started = new CountDownLatch(1);
            Thread fiber = Thread.ofVirtual().start(() -> {
                started.countDown();
                while (!go.get()) LockSupport.park();
                wokeAt.set(System.nanoTime());
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            // parked, not merely about to: the wake-up is a real unpark
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (fiber.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.onSpinWait();
            return new ParkedFiber(fiber, go, wokeAt);
        }

        void wakeFromHere() {
            go.set(true);
            FiberWakeups.unpark(fiber);
        }
    }

    /** Whether {@code condition} holds within 10 s. */
    private static boolean eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(1); // polling a condition with a bound, not waiting for an event
        }
        return false;
    }

    private static long mean(long[] values) {
        long sum = 0;
        for (long v : values) sum += v;
        return values.length == 0 ? 0 : sum / values.length;
    }
}
