package io.rusm.kv;

import io.rusm.Kv;
import io.rusm.Node;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A durable service must not starve next to a busy neighbour: a service that puts to {@code Kv} on
 * every call, while 64 virtual threads hammer a plain service on the same node (enough to keep
 * every carrier busy). Its fiber must run again soon after the writer thread completed its put, and
 * its p99 stays under a third of its call timeout. Alone and busy rounds alternate so that a slow
 * patch of the shared disk weighs on both. Its one caller is a virtual thread, as a request
 * handler is in a Spring application with virtual threads.
 *
 * <p>Issue 13 item 2. Before the fix, on the 2-core machine: 2,700 puts/s alone, 85/s next to the
 * neighbour, and the mean wake-up after the commit went from 0.08 to 4.9 ms. The writer is a
 * platform thread, so completing a put unparked the fiber through an <em>external</em> submission
 * queue of the virtual-thread {@code ForkJoinPool}, which a carrier looks at only once its own
 * local queue is empty, and ping-ponging neighbours keep the local queues full. Now the writer
 * wakes its callers through {@link io.rusm.internal.process.FiberWakeups}, which hands such
 * wake-ups to the next carrier that runs rusm code while all carriers are busy: wake-up 35–80 µs,
 * 55–60% of alone with this virtual caller (30–43% with a platform-thread caller, whose own
 * wake-ups and the writer's compete with both carriers for the two cores; {@code KvMain neighbour}
 * measures both).
 */
@Timeout(60)
class KvNextToBusyNeighbourTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ROUND = Duration.ofMillis(600);
    private static final int ROUNDS = 4;
    private static final int NEIGHBOURS = 64;

    @TempDir
    Path dir;
    private final Node node = Node.create();
    private volatile CountDownLatch gate = new CountDownLatch(1);
    private final List<Long> wakeUps = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Long> aloneWakeUps = new ArrayList<>();
    private final List<Long> busyWakeUps = new ArrayList<>();
    private KvStore store;

    @AfterEach
    void close() {
        node.close();
        if (store != null) store.close();
    }

    @Test
    void a_durable_counter_is_woken_promptly_next_to_a_saturating_neighbour() throws Exception {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        // A measurement of scheduling: meaningless while other processes already hold the cores twice over.
        assumeTrue(load < 2.0 * cores, "load average " + load + " on " + cores + " cores: the machine is too busy to measure");
        TimedBackend backend = new TimedBackend(MvStoreBackend.open(dir));
        store = KvStore.over(backend);
        Kv kv = store.forCallingService();
        long[] count = {0};
        node.spawn(SpawnOptions.named("durable"), message -> {
            kv.put("count", ++count[0]);
            // the service is the only writer: the last commit was its own
            wakeUps.add(System.nanoTime() - backend.lastCommitEnd);
            return count[0];
        });
        long[] plain = {0};
        node.spawn(SpawnOptions.named("plain"), message -> ++plain[0]);

        durableRound(Duration.ofMillis(500)); // warm-up
        // Alone and next to the neighbour in turns, so that a disk or machine slowing down for a
        // while (other builds share it) weighs on both sides alike.
        List<Round> alone = new ArrayList<>();
        List<Round> busy = new ArrayList<>();
        AtomicBoolean busyPhase = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong neighbourCalls = new AtomicLong();
        List<Thread> neighbours = new ArrayList<>();
        for (int i = 0; i < NEIGHBOURS; i++) {
            neighbours.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    if (!busyPhase.get()) {
                        awaitQuietly(gate);
                        continue;
                    }
                    node.call("plain", "bump", CALL_TIMEOUT);
                    neighbourCalls.incrementAndGet();
                }
            }));
        }
        try {
            for (int i = 0; i < ROUNDS; i++) {
                alone.add(durableRound(ROUND));
                aloneWakeUps.addAll(wakeUps);
                wakeUps.clear();
                busyPhase.set(true);
                gate.countDown();
                durableRound(Duration.ofMillis(100)); // let the neighbour get going
                long before = neighbourCalls.get();
                Round r = durableRound(ROUND);
                r.neighbourCalls = neighbourCalls.get() - before;
                busy.add(r);
                busyWakeUps.addAll(wakeUps);
                wakeUps.clear();
                gate = new CountDownLatch(1); // before the phase flag: a neighbour that sees it off waits on this one
                busyPhase.set(false);
            }
        } finally {
            stop.set(true);
            busyPhase.set(true);
            gate.countDown();
            for (Thread t : neighbours) t.join(Duration.ofSeconds(10));
        }
        Round aloneTotal = Round.of(alone);
        Round busyTotal = Round.of(busy);
        long aloneWake = mean(aloneWakeUps);
        long busyWake = mean(busyWakeUps);
        String report = "alone " + aloneTotal + " " + alone + ", wake-up after the commit, mean " + aloneWake / 1000
                + " µs; next to the neighbour " + busyTotal + " " + busy + ", wake-up mean " + busyWake / 1000 + " µs, p99 " + percentile(busyWakeUps, 0.99) / 1000 + " µs; "
                + Math.round(100 * busyTotal.perSecond() / aloneTotal.perSecond()) + "% of alone";
        System.out.println("[kv-neighbour] " + report);
        assertThat(busyTotal.neighbourCalls).as("the neighbour was busy: " + report).isGreaterThan(10_000);
        // The fiber must be running again soon after the writer completed its put, busy neighbour or
        // not (it waited ~5 ms behind the neighbour's work before the fix). The throughput ratio
        // also depends on the disk and on how the OS shares two cores between the carriers and the
        // writer thread, which vary too much on a shared machine to assert here: KvNeighbourBench.
        assertThat(busyWake).as("mean wake-up after the commit next to the neighbour < 1 ms: " + report)
                .isLessThan(1_000_000);
        assertThat(busyTotal.p99Nanos()).as("p99 < call timeout / 3: " + report).isLessThan(CALL_TIMEOUT.toNanos() / 3);
    }

    private static long percentile(List<Long> values, double p) {
        long[] a = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return a.length == 0 ? Long.MAX_VALUE : a[(int) Math.min(a.length - 1, a.length * p)];
    }

    /** The mean: the starvation was in a heavy tail, not in the median. */
    private static long mean(List<Long> values) {
        return values.isEmpty() ? Long.MAX_VALUE : (long) values.stream().mapToLong(Long::longValue).average().orElseThrow();
    }

    /** Remembers when the last commit returned. */
    static final class TimedBackend extends ForwardingBackend {
        volatile long lastCommitEnd;

        TimedBackend(Backend delegate) {
            super(delegate);
        }

        @Override
        public Transaction begin() throws Exception {
            Transaction tx = delegate.begin();
            return new Transaction() {
                @Override
                public void put(String namespace, String key, byte[] value) throws Exception {
                    tx.put(namespace, key, value);
                }

                @Override
                public boolean delete(String namespace, String key) throws Exception {
                    return tx.delete(namespace, key);
                }

                @Override
                public void commit() throws Exception {
                    tx.commit();
                    lastCommitEnd = System.nanoTime();
                }

                @Override
                public void rollback() {
                    tx.rollback();
                }
            };
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One virtual caller bumps the durable counter back to back for {@code length}. */
    private Round durableRound(Duration length) throws InterruptedException {
        Round[] round = new Round[1];
        Thread caller = Thread.ofVirtual().name("durable-caller").start(() -> round[0] = callBackToBack(length));
        if (!caller.join(length.plus(CALL_TIMEOUT).plusSeconds(5))) throw new AssertionError("the durable caller hangs");
        if (round[0] == null) throw new AssertionError("the durable caller failed (see the log)");
        return round[0];
    }

    private Round callBackToBack(Duration length) {
        if (Boolean.getBoolean("vcaller")) {
            Round[] out = new Round[1];
            Thread t = Thread.ofVirtual().start(() -> out[0] = durableRoundHere(length));
            try { t.join(); } catch (InterruptedException e) { throw new RuntimeException(e); }
            return out[0];
        }
        return durableRoundHere(length);
    }

    private Round durableRoundHere(Duration length) {
        long[] latencies = new long[200_000];
        int n = 0;
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long now = start;
        while (now < end && n < latencies.length) {
            node.call("durable", "bump", CALL_TIMEOUT);
            long t = System.nanoTime();
            latencies[n++] = t - now;
            now = t;
        }
        return new Round(Arrays.copyOf(latencies, n), now - start);
    }

    private static final class Round {
        final long[] sorted;
        final long elapsed;
        long neighbourCalls;

        static Round of(List<Round> rounds) {
            long[] all = rounds.stream().flatMapToLong(r -> Arrays.stream(r.sorted)).toArray();
            Round total = new Round(all, rounds.stream().mapToLong(r -> r.elapsed).sum());
            total.neighbourCalls = rounds.stream().mapToLong(r -> r.neighbourCalls).sum();
            return total;
        }

        Round(long[] latencies, long elapsed) {
            this.sorted = latencies;
            Arrays.sort(sorted);
            this.elapsed = elapsed;
        }

        double perSecond() {
            return sorted.length * 1e9 / elapsed;
        }

        long p99Nanos() {
            return sorted.length == 0 ? Long.MAX_VALUE : sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)];
        }

        @Override
        public String toString() {
            return "[%d puts, %.0f/s, p50 %.2f ms, p99 %.2f ms%s]".formatted(sorted.length, perSecond(),
                    sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1e6, p99Nanos() / 1e6,
                    neighbourCalls <= 0 ? "" : ", neighbour calls " + neighbourCalls);
        }
    }
}
