package io.rusm.kv;

import io.rusm.Kv;
import io.rusm.Node;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
 * every call, while 64 virtual threads hammer 8 plain services on the same node (pairs enough to
 * keep every carrier's own queue full). Its fiber must run again soon after the writer thread
 * completed its put, and its p99 stays under a third of its call timeout. Alone and busy rounds
 * alternate so that a slow patch of the shared disk weighs on both. Its one caller is a virtual
 * thread (as a request handler is in a Spring application with virtual threads), then a platform
 * thread.
 *
 * <p>Issue 13 item 2. A virtual thread woken by a platform thread goes to the virtual-thread
 * {@code ForkJoinPool}'s <em>external</em> queue, which a carrier looks at only once its own queue
 * is empty, and ping-ponging neighbours keep the own queues full. Before the fix, three such
 * wake-ups sat on this path: the writer completing the put, the JDK's unblocker resuming a fiber
 * that had blocked on a contended monitor (every timed call locked a {@code CallDeadlines} slot),
 * and the writer thread releasing its queue's lock. Then: 0–1 puts/s next to the neighbour
 * (4,100–4,500 alone), a mean wake-up after the commit of 0.36–0.87 s, calls timing out. Now the
 * writer wakes its callers through {@link io.rusm.internal.process.FiberWakeups}, the deadline
 * slots take a spin lock and the writer's queue is lock-free: 51–59% of alone, p99 4 ms, mean
 * wake-up 20–30 µs ({@code KvMain neighbour} in {@code bench/run} measures it too). A platform
 * caller stalled until hand-overs were taken out only by fibers (it took its own and submitted
 * them externally while parking for the reply). A caller started from a plain thread next to the
 * running neighbour (as a web server starts a request's thread) never ran until the fibers made
 * room for external work ({@code ExternalQueueWatch}).
 */
@Timeout(60)
class KvNextToBusyNeighbourTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ROUND = Duration.ofMillis(600);
    private static final int ROUNDS = 4;
    private static final int NEIGHBOURS = 64;
    /** The neighbour's callers spread over this many plain services: pairs enough to keep every carrier's queue full. */
    private static final int NEIGHBOUR_SERVICES = 8;

    @TempDir
    Path dir;
    private final Node node = Node.create();
    private volatile CountDownLatch gate = new CountDownLatch(1);
    private final List<Long> wakeUps = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Long> aloneWakeUps = new ArrayList<>();
    private final List<Long> busyWakeUps = new ArrayList<>();
    private KvStore store;
    private boolean freshThreadPerRound;

    @AfterEach
    void close() {
        node.close();
        if (store != null) store.close();
    }

    /**
     * {@code virtual}: the caller is a virtual thread. {@code platform}: the test's own thread, which
     * used to take the hand-overs it made itself while parking for its reply, and submit them
     * externally (calls timed out).
     */
    @ParameterizedTest(name = "{0} caller")
    @ValueSource(strings = {"virtual", "platform", "fresh virtual"})
    void a_durable_counter_is_woken_promptly_next_to_a_saturating_neighbour(String caller) throws Exception {
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
        for (int i = 0; i < NEIGHBOUR_SERVICES; i++) {
            long[] plain = {0};
            node.spawn(SpawnOptions.named("plain-" + i), message -> ++plain[0]);
        }
        List<Round> alone = new ArrayList<>();
        List<Round> busy = new ArrayList<>();
        // "virtual": the whole schedule runs on one virtual thread started before the neighbour.
        // "fresh virtual": each round's calls run on a virtual thread this plain thread starts, next
        // to the running neighbour, as a web server starts a request's thread: a start is an
        // external submission, which waited without bound next to ping-ponging fibers before
        // ExternalQueueWatch (see ExternalStarvationTest).
        freshThreadPerRound = caller.equals("fresh virtual");
        if (caller.equals("virtual")) {
            Thread driver = Thread.ofVirtual().name("durable-caller").start(() -> runRounds(alone, busy));
            assertThat(driver.join(Duration.ofSeconds(25))).as("the durable caller finished its rounds").isTrue();
        } else {
            runRounds(alone, busy); // a call that times out fails the test here
        }
        assertThat(busy).as("every round ran (see the log if not)").hasSize(ROUNDS);
        assertThat(busy).as("every round next to the neighbour made calls: " + busy).allSatisfy(r -> assertThat(r.sorted).isNotEmpty());
        Round aloneTotal = Round.of(alone);
        Round busyTotal = Round.of(busy);
        long aloneWake = mean(aloneWakeUps);
        long busyWake = mean(busyWakeUps);
        String report = "alone " + aloneTotal + " " + alone + ", wake-up after the commit, mean " + aloneWake / 1000
                + " µs; next to the neighbour " + busyTotal + " " + busy + ", wake-up mean " + busyWake / 1000 + " µs, p99 " + percentile(busyWakeUps, 0.99) / 1000 + " µs; "
                + Math.round(100 * busyTotal.perSecond() / aloneTotal.perSecond()) + "% of alone";
        report = caller + " caller: " + report;
        System.out.println("[kv-neighbour] " + report);
        assertThat(busyTotal.neighbourCalls).as("the neighbour was busy: " + report).isGreaterThan(10_000);
        // The fiber must be running again soon after the writer completed its put, busy neighbour or
        // not (before the fix: 357 ms on average, p99 6 s, and 1 put/s). The throughput ratio also
        // depends on the disk and on how the OS shares two cores between the carriers and the
        // writer thread, which vary too much on a shared machine to assert here: KvMain neighbour.
        assertThat(busyWake).as("mean wake-up after the commit next to the neighbour < 1 ms: " + report)
                .isLessThan(1_000_000);
        assertThat(busyTotal.p99Nanos()).as("p99 < call timeout / 3: " + report).isLessThan(CALL_TIMEOUT.toNanos() / 3);
    }

    /**
     * Alone and next to the neighbour in turns, so that a disk or machine slowing down for a while
     * (other builds share it) weighs on both sides alike. Runs on a virtual thread.
     */
    private void runRounds(List<Round> alone, List<Round> busy) {
        durableRound(Duration.ofMillis(500)); // warm-up
        AtomicBoolean busyPhase = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong neighbourCalls = new AtomicLong();
        List<Thread> neighbours = new ArrayList<>();
        for (int i = 0; i < NEIGHBOURS; i++) {
            String target = "plain-" + (i % NEIGHBOUR_SERVICES);
            neighbours.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    if (!busyPhase.get()) {
                        awaitQuietly(gate);
                        continue;
                    }
                    node.call(target, "bump", CALL_TIMEOUT);
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
            for (Thread t : neighbours) {
                try {
                    t.join(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
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
            return new ForwardingTransaction(delegate.begin()) {
                @Override
                public void commit() throws Exception {
                    super.commit();
                    lastCommitEnd = System.nanoTime();
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

    /** The driver bumps the durable counter back to back for {@code length}, on a fresh virtual thread if so asked. */
    private Round durableRound(Duration length) {
        if (!freshThreadPerRound) return bumpFor(length);
        Round[] round = {null};
        Thread t = Thread.ofVirtual().name("durable-caller").start(() -> round[0] = bumpFor(length));
        try {
            if (!t.join(length.plusSeconds(5))) return new Round(new long[0], length.toNanos()); // never ran, or stalled
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return round[0] != null ? round[0] : new Round(new long[0], length.toNanos());
    }

    private Round bumpFor(Duration length) {
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
