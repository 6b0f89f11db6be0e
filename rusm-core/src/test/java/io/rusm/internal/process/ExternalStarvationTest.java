package io.rusm.internal.process;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Work submitted to the virtual-thread scheduler from outside its carriers — a virtual thread
 * started by a plain thread (a web server's poller starting a request's thread), a process spawned
 * from one — must run within a bound while rusm fibers ping-pong on every carrier. The JDK's
 * scheduler runs a carrier's local tasks until there are none before it looks at its external
 * queue, and ping-ponging services and callers keep the local queues full, so before the fix such
 * work never ran at all (a virtual thread started behind 64 callers of 8 services was still
 * unstarted after 14 minutes).
 */
@Timeout(60)
class ExternalStarvationTest {
    private static final int CALLERS = 64;
    private static final int SERVICES = 8;
    /** Far above the bound that holds (milliseconds), far below "never". */
    private static final long BOUND_SECONDS = 5;

    private final Node node = Node.create();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> load = new ArrayList<>();
    private final AtomicLong loadCalls = new AtomicLong();
    /** The counters once the load runs, for the print-out of what the test cost the load. */
    private long episodesAtStart, gatedAtStart, callsAtStart, startedAt;

    @BeforeEach
    void saturate() throws InterruptedException {
        for (int i = 0; i < SERVICES; i++) {
            long[] n = {0};
            node.spawn(SpawnOptions.named("plain-" + i), message -> ++n[0]);
        }
        CountDownLatch running = new CountDownLatch(CALLERS);
        for (int i = 0; i < CALLERS; i++) {
            String target = "plain-" + (i % SERVICES);
            load.add(Thread.ofVirtual().start(() -> {
                running.countDown();
                while (!stop.get()) {
                    node.call(target, "bump", Duration.ofSeconds(30));
                    loadCalls.incrementAndGet();
                }
            }));
        }
        // Started from this plain thread, the callers are external submissions themselves: with the
        // fix they all get going; without it some may never start, which the tests below show too.
        assertThat(running.await(BOUND_SECONDS, TimeUnit.SECONDS)).as("all %d callers got going", CALLERS).isTrue();
        long before = loadCalls.get();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> loadCalls.get() - before > 10_000);
        episodesAtStart = ExternalQueueWatch.episodes();
        gatedAtStart = ExternalQueueWatch.gated();
        callsAtStart = loadCalls.get();
        startedAt = System.nanoTime();
    }

    @AfterEach
    void close() throws InterruptedException {
        double seconds = (System.nanoTime() - startedAt) / 1e9;
        System.out.printf("[external-starvation] during the test (%.1f s): %.0f episodes/s, %.0f fibers gated/s, %.0f load calls/s%n", seconds,
                (ExternalQueueWatch.episodes() - episodesAtStart) / seconds, (ExternalQueueWatch.gated() - gatedAtStart) / seconds,
                (loadCalls.get() - callsAtStart) / seconds);
        stop.set(true);
        for (Thread t : load) t.join(Duration.ofSeconds(10));
        node.close();
    }

    @Test
    void a_virtual_thread_started_from_a_plain_thread_runs_while_fibers_ping_pong_on_every_carrier() throws InterruptedException {
        for (int round = 0; round < 20; round++) {
            CountDownLatch ran = new CountDownLatch(1);
            long start = System.nanoTime();
            Thread.ofVirtual().start(ran::countDown);
            assertThat(ran.await(BOUND_SECONDS, TimeUnit.SECONDS)).as("round " + round + ": the virtual thread ran").isTrue();
            System.out.println("[external-starvation] started thread ran after " + (System.nanoTime() - start) / 1000 + " µs");
        }
    }

    @Test
    void a_virtual_thread_woken_from_a_plain_thread_runs_while_fibers_ping_pong_on_every_carrier() throws InterruptedException {
        AtomicLong wakes = new AtomicLong();
        Thread sleeper = Thread.ofVirtual().start(() -> {
            while (!stop.get()) {
                java.util.concurrent.locks.LockSupport.park();
                wakes.incrementAndGet();
            }
        });
        load.add(sleeper);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(BOUND_SECONDS))
                .until(() -> sleeper.getState() == Thread.State.WAITING);
        for (int round = 0; round < 20; round++) {
            long before = wakes.get();
            java.util.concurrent.locks.LockSupport.unpark(sleeper); // an external submission, not rusm's
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(BOUND_SECONDS)).pollInterval(Duration.ofMillis(1))
                    .until(() -> wakes.get() > before);
        }
    }

    @Test
    void a_supervised_worker_that_crashes_while_fibers_ping_pong_on_every_carrier_serves_again() {
        // The supervisor (a fiber) starts each new incarnation on a new virtual thread: an external submission.
        node.startSupervisor(io.rusm.SupervisorSpec.of("sup").withIntensity(100, Duration.ofSeconds(5)).withChild(io.rusm.WorkerSpec.of("worker",
                () -> (io.rusm.Behavior) message -> {
                    if ("crash".equals(message)) throw new IllegalStateException("crash on purpose");
                    return "serving";
                })));
        for (int round = 0; round < 10; round++) {
            Pid before = node.whereis("worker").orElseThrow();
            node.exit(before, io.rusm.ExitReason.crashed(new IllegalStateException("crash " + round)));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(BOUND_SECONDS)).pollInterval(Duration.ofMillis(1))
                    .until(() -> node.whereis("worker").filter(p -> !p.equals(before)).isPresent());
            Object answer = node.call("worker", "hello", Duration.ofSeconds(BOUND_SECONDS));
            assertThat(answer).isEqualTo("serving");
        }
    }

    @Test
    void a_process_spawned_from_a_plain_thread_answers_while_fibers_ping_pong_on_every_carrier() {
        for (int round = 0; round < 20; round++) {
            Pid pid = node.spawn(SpawnOptions.named("late-" + round), (io.rusm.Behavior) message -> "here");
            Object answer = node.call(pid, "hello", Duration.ofSeconds(BOUND_SECONDS));
            assertThat(answer).isEqualTo("here");
        }
    }
}
