package io.rusm;

import io.rusm.TestSupport.Boom;
import io.rusm.TestSupport.Recorder;
import io.rusm.event.ProcessListener;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import static io.rusm.TestSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Adversarial and scale tests. They assert outcomes and counts, never speed; every wait is bounded.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StressTest {

    /** Counts listener events per pid, to check "exactly once" and "started == exited". */
    static final class LifecycleCounter implements ProcessListener {
        final Map<Pid, AtomicInteger> started = new ConcurrentHashMap<>();
        final Map<Pid, AtomicInteger> exited = new ConcurrentHashMap<>();

        @Override
        public void started(Pid pid) {
            started.computeIfAbsent(pid, p -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void exited(Pid pid, ExitReason reason) {
            exited.computeIfAbsent(pid, p -> new AtomicInteger()).incrementAndGet();
        }
    }

    static final String POISON = "poison";

    /** Echoes its request; crashes on {@link #POISON}; remembers its fiber so the test can see it end. */
    static final class EchoService implements Behavior {
        private final AtomicLong handled;
        private final ConcurrentLinkedQueue<Thread> fibers;

        EchoService(AtomicLong handled, ConcurrentLinkedQueue<Thread> fibers) {
            this.handled = handled;
            this.fibers = fibers;
        }

        @Override
        public void init() {
            fibers.add(Thread.currentThread());
        }

        @Override
        public Object handle(Object message) {
            if (POISON.equals(message)) throw new Boom("poison");
            handled.incrementAndGet();
            return message;
        }
    }

    @Test
    void ten_thousand_callers_against_a_process_that_is_repeatedly_crashed_killed_stopped_and_respawned() throws Exception {
        final int callers = 10_000;
        final int callsEach = 5;
        final int rounds = 40;
        // The echo handler answers in microseconds and at most one call per caller waits in the
        // mailbox, so a call that reaches this timeout was lost (left hanging by a crash or kill),
        // which is exactly the bug this test hunts: a timeout counts as a violation here.
        final Duration callTimeout = Duration.ofSeconds(20);
        final Duration bound = callTimeout.plusSeconds(5);

        Node node = Node.builder().name("stress").build();
        LifecycleCounter lifecycle = new LifecycleCounter();
        node.addListener(lifecycle);
        Recorder watcher = new Recorder();
        Pid watcherPid = node.spawn(watcher);
        AtomicLong handled = new AtomicLong();
        ConcurrentLinkedQueue<Thread> fibers = new ConcurrentLinkedQueue<>();
        List<Pid> incarnations = new ArrayList<>();

        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(callers);
        // Opened (and replaced) whenever a new incarnation is up, so that callers who found none
        // wait for the next one instead of burning their calls on noproc between incarnations.
        AtomicReference<CountDownLatch> respawned = new AtomicReference<>(new CountDownLatch(1));

        incarnations.add(spawnService(node, watcher, handled, fibers));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < callers; c++) {
                int caller = c;
                threads.execute(() -> {
                    try {
                        go.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                        for (int i = 0; i < callsEach; i++) {
                            Integer request = caller * callsEach + i;
                            long t0 = System.nanoTime();
                            CountDownLatch next = respawned.get();
                            String outcome = call(node, request, callTimeout, violations);
                            if (outcome.equals("noproc") && node.whereis("svc").isEmpty()) {
                                next.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                            }
                            Duration took = Duration.ofNanos(System.nanoTime() - t0);
                            outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
                            if (took.compareTo(bound) > 0) violations.add("call " + request + " took " + took);
                        }
                    } catch (InterruptedException e) {
                        violations.add("caller interrupted");
                    } finally {
                        done.countDown();
                    }
                });
            }
            go.countDown();

            // Chaos on this thread: end the current incarnation four different ways, respawn under
            // the same name, repeat. Each round waits for some traffic to reach the new incarnation
            // (or for the callers to be done), so the deaths land amid calls.
            for (int round = 0; round < rounds; round++) {
                Pid current = incarnations.getLast();
                long base = handled.get();
                try {
                    await().atMost(WAIT).pollInterval(Duration.ofMillis(1))
                            .until(() -> handled.get() - base >= 500 || done.getCount() == 0);
                } catch (ConditionTimeoutException stalled) {
                    // No progress: callers are stuck. Carry on; the violations below say why.
                }
                switch (round % 4) {
                    case 0 -> {
                        try {
                            node.send(current, POISON);
                        } catch (MailboxFullException e) {
                            node.kill(current);
                        }
                    }
                    case 1 -> node.kill(current);
                    case 2 -> node.stop(current, Duration.ofSeconds(5));
                    default -> node.exit(current, ExitReason.crashed(new Boom("exit signal")));
                }
                Down down = watcher.next(Down.class);
                assertThat(down.pid()).isEqualTo(current);
                incarnations.add(spawnService(node, watcher, handled, fibers));
                respawned.getAndSet(new CountDownLatch(1)).countDown();
            }
            assertThat(done.await(2, TimeUnit.MINUTES)).as("every caller finished").isTrue();
        }

        node.shutdown(Duration.ofSeconds(10));

        assertThat(violations.size()).as("violations, the first ones: %s", violations.stream().limit(10).toList()).isZero();
        long total = outcomes.values().stream().mapToLong(LongAdder::sum).sum();
        assertThat(total).isEqualTo((long) callers * callsEach);
        assertThat(outcomes).containsKey("ok");
        assertThat(outcomes.keySet()).isSubsetOf("ok", "crashed", "noproc", "full");

        // Nothing left running: no process, no incarnation alive, every fiber ended.
        assertThat(node.processCount()).isZero();
        assertThat(incarnations).hasSize(rounds + 1).doesNotHaveDuplicates().allSatisfy(p -> {
            assertThat(p.name()).isEqualTo("svc");
            assertThat(node.isAlive(p)).isFalse();
        });
        assertThat(node.isAlive(watcherPid)).isFalse();
        await().atMost(WAIT).untilAsserted(() -> assertThat(fibers).hasSize(rounds + 1).noneMatch(Thread::isAlive));
        // Every process was reported started once and exited once.
        assertThat(lifecycle.started.keySet()).containsExactlyInAnyOrderElementsOf(lifecycle.exited.keySet());
        assertThat(lifecycle.started).hasSize(rounds + 2);
        assertThat(lifecycle.started.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(lifecycle.exited.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    }

    private static Pid spawnService(Node node, Recorder watcher, AtomicLong handled, ConcurrentLinkedQueue<Thread> fibers) {
        // Room for every caller's call: most wait queued, which is where a crash or kill must find them.
        Pid pid = node.spawn(SpawnOptions.named("svc"), new EchoService(handled, fibers));
        node.monitor(watcher.self(), pid);
        return pid;
    }

    /** One call; returns its outcome's name, or records a violation. */
    private static String call(Node node, Integer request, Duration timeout, ConcurrentLinkedQueue<String> violations) {
        try {
            Object reply = node.call("svc", request, timeout);
            if (!request.equals(reply)) violations.add("call " + request + " got the reply " + reply);
            return "ok";
        } catch (ProcessCrashedException e) {
            // Shutdown too: a call that slips in as a graceful stop closes the mailbox is failed by it.
            if (!(e.reason() instanceof ExitReason.Killed || e.reason() instanceof ExitReason.Crashed
                    || e.reason() instanceof ExitReason.Shutdown)) {
                violations.add("call " + request + " crashed with unexpected reason " + e.reason());
            }
            return "crashed";
        } catch (NoProcessException e) {
            return "noproc";
        } catch (MailboxFullException e) {
            return "full";
        } catch (CallTimeoutException e) {
            violations.add("call " + request + " timed out: lost by the runtime");
            return "timeout";
        } catch (Throwable t) {
            violations.add("call " + request + " failed with " + t);
            return "unexpected";
        }
    }

    @Test
    void a_hundred_thousand_idle_processes_are_counted_while_alive_and_all_gone_after_shutdown() {
        final int n = 100_000;
        Node node = Node.builder().name("many").build();
        LongAdder started = new LongAdder();
        LongAdder exited = new LongAdder();
        node.addListener(new ProcessListener() {
            @Override
            public void started(Pid pid) {
                started.increment();
            }

            @Override
            public void exited(Pid pid, ExitReason reason) {
                exited.increment();
            }
        });
        ConcurrentLinkedQueue<Thread> fibers = new ConcurrentLinkedQueue<>();
        Behavior idle = new Behavior() {
            @Override
            public void init() {
                fibers.add(Thread.currentThread());
            }

            @Override
            public Object handle(Object message) {
                return message;
            }
        };
        Pid[] pids = new Pid[n];
        try {
            // Spawned from 16 virtual threads at once: concurrent registration on one node.
            int spawners = 16;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < spawners; t++) {
                    int first = t;
                    threads.execute(() -> {
                        for (int i = first; i < n; i += spawners) pids[i] = node.spawn(idle);
                    });
                }
            }
            assertThat(pids).doesNotContainNull().doesNotHaveDuplicates();

            assertThat(node.processCount()).isEqualTo(n);
            assertThat(started.sum()).isEqualTo(n);
            assertThat(exited.sum()).isZero();
            assertThat(node.<String>call(pids[0], "first")).isEqualTo("first");
            assertThat(node.<String>call(pids[n - 1], "last")).isEqualTo("last");
        } finally {
            node.shutdown(Duration.ofSeconds(60));
        }

        assertThat(node.processCount()).isZero();
        assertThat(exited.sum()).as("shutdown returns once listeners heard every exit").isEqualTo(n);
        assertThat(started.sum()).isEqualTo(n);
        for (Pid pid : pids) {
            if (node.isAlive(pid)) throw new AssertionError(pid + " still alive after shutdown");
        }
        assertThat(fibers).hasSize(n);
        await().atMost(WAIT).until(() -> fibers.stream().noneMatch(Thread::isAlive));
    }
}
