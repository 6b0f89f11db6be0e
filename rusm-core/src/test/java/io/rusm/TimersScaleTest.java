package io.rusm;

import io.rusm.internal.timer.SharedTimerScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 100,000 processes with 10 timers each on the real shared scheduler: one million timers cost a
 * bounded amount of heap per timer and not a single extra platform thread, and they are gone from
 * the scheduler when their processes end.
 */
class TimersScaleTest extends NodeTestBase {
    static final int PROCESSES = 100_000;
    static final int TIMERS_EACH = 10;
    /**
     * Heap per timer after GC: the scheduler's task with its adapter (~90 B), our entry (~64 B), its
     * map node and slot (~40 B), the cancel handle (~16 B), a share of the per-process table; 400 B
     * leaves room for JVM differences.
     */
    static final long BYTES_PER_TIMER_BOUND = 400;

    /** Starts its ten timers on "arm": six fixed-rate, two fixed-delay, two single, all an hour out. */
    static final class Armed implements Behavior {
        private final CountDownLatch armed;

        Armed(CountDownLatch armed) {
            this.armed = armed;
        }

        @Override
        public Object handle(Object message) {
            if (message instanceof CountDownLatch warmed) {
                warmed.countDown(); // a first message grows the fiber's stack; not the timers' cost
            } else if ("arm".equals(message)) {
                Timers t = ProcessContext.timers();
                Duration hour = Duration.ofHours(1);
                for (int i = 0; i < 6; i++) t.startFixedRate(i, hour, "rate");
                t.startFixedDelay(6, hour, "delay");
                t.startFixedDelay(7, hour, "delay");
                t.startSingle(8, hour, "single");
                t.startSingle(9, hour, "single");
                armed.countDown();
            }
            return null;
        }
    }

    @Test
    @Timeout(120)
    void aMillionTimersCostBoundedHeapAndNoThreads() {
        node.runtime().timerScheduler(SharedTimerScheduler.INSTANCE);
        CountDownLatch armed = new CountDownLatch(PROCESSES);
        List<Pid> pids = new ArrayList<>(PROCESSES);
        for (int i = 0; i < PROCESSES; i++) pids.add(node.spawn(SpawnOptions.anonymous(), new Armed(armed)));
        CountDownLatch warmed = new CountDownLatch(PROCESSES);
        for (Pid p : pids) node.send(p, warmed);
        TestSupport.awaitLatch(warmed, "every process handled a first message");
        int queuedBefore = SharedTimerScheduler.INSTANCE.queued();
        long heapBefore = HeapAfterGc.used();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        long t0 = System.nanoTime();
        for (Pid p : pids) node.send(p, "arm");
        TestSupport.awaitLatch(armed, "every process armed its timers");
        long armNanos = System.nanoTime() - t0;

        long heapAfter = HeapAfterGc.used();
        int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
        long timers = (long) PROCESSES * TIMERS_EACH;
        long perTimer = (heapAfter - heapBefore) / timers;
        System.out.printf("timers scale: %d timers on %d processes armed in %d ms; heap %d -> %d MB (%d B/timer); platform threads %d -> %d%n",
                timers, PROCESSES, armNanos / 1_000_000, heapBefore >> 20, heapAfter >> 20, perTimer, threadsBefore, threadsAfter);
        assertThat(SharedTimerScheduler.INSTANCE.queued() - queuedBefore).isEqualTo((int) timers);
        assertThat(perTimer).as("heap per timer after GC").isLessThan(BYTES_PER_TIMER_BOUND);
        assertThat(threadsAfter - threadsBefore).as("platform threads started for a million timers").isLessThanOrEqualTo(1);

        for (Pid p : pids) node.kill(p);
        assertThat(SharedTimerScheduler.INSTANCE.queued()).as("a killed process's timers leave the scheduler")
                .isLessThanOrEqualTo(queuedBefore);
    }
}
