package io.rusm;

import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.rusm.TestSupport.AT_ONCE;
import static io.rusm.TestSupport.LONG_TIMEOUT;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.failureOf;
import static io.rusm.TestSupport.inBackground;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hibernation ({@link SpawnOptions#withHibernateAfter}): an idle process lets its fiber end and
 * keeps everything else — its state, name, pid, links, monitors, timers and cap — and the next
 * message goes on with the same state on a fresh fiber. Every semantic must hold across the
 * change of fiber, including under races of wake-ups with hibernation.
 */
class HibernationTest extends NodeTestBase {
    private static final Duration SOON = Duration.ofMillis(100);

    /** Counts; replies with the count and records the fiber each message ran on. */
    static final class Counter implements Behavior {
        final Set<Thread> fibers = ConcurrentHashMap.newKeySet();
        volatile Thread last;
        /** The fiber each message's handler returned on. */
        volatile Thread lastReturnedOn;
        volatile Pid selfSeen;
        int count;
        final AtomicInteger terminated = new AtomicInteger();

        @Override
        public Object handle(Object message) {
            last = Thread.currentThread();
            fibers.add(last);
            selfSeen = ProcessContext.self();
            if (message instanceof CountDownLatch block) {
                try {
                    block.await(); // a handler that blocks: never hibernated under it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            lastReturnedOn = Thread.currentThread();
            return ++count;
        }

        @Override
        public void terminate() {
            terminated.incrementAndGet();
        }
    }

    private Pid spawnCounter(String name, Counter c, Duration hibernateAfter) {
        return node.spawn(SpawnOptions.named(name).withHibernateAfter(hibernateAfter), c);
    }

    private void awaitHibernating(Pid pid) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> node.isHibernating(pid));
    }

    @Test
    void an_idle_process_lets_its_fiber_end_and_goes_on_with_its_state_on_a_fresh_one() {
        Counter c = new Counter();
        Pid pid = spawnCounter("counter", c, SOON);
        assertThat((Integer) node.call("counter", "bump")).isEqualTo(1);
        Thread first = c.last;

        awaitHibernating(pid);
        await().atMost(WAIT).until(() -> !first.isAlive()); // its stack is gone with it
        assertThat(node.isAlive(pid)).isTrue();
        assertThat(node.whereis("counter")).contains(pid);

        assertThat((Integer) node.call("counter", "bump")).isEqualTo(2);
        assertThat(c.last).isNotSameAs(first);
        assertThat(c.selfSeen).isEqualTo(pid);
        assertThat(c.last.getName()).isEqualTo(pid.toString());
        assertThat(node.isHibernating(pid)).isFalse();
    }

    @Test
    void a_process_that_never_idles_long_enough_keeps_its_fiber() {
        Counter c = new Counter();
        spawnCounter("busy", c, Duration.ofDays(365));
        for (int i = 0; i < 20; i++) {
            node.call("busy", "bump");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(30));
        }
        assertThat(c.fibers).hasSize(1);
    }

    @Test
    void a_handler_that_blocks_is_never_hibernated_under_it() {
        Counter c = new Counter();
        Pid pid = spawnCounter("blocker", c, SOON);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> blocked = inBackground(() -> node.call("blocker", release, LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> c.last != null);
        Thread fiber = c.last;
        // Several of hibernation's looks pass while the handler waits: it must still be the same fiber.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(800));
        assertThat(node.isHibernating(pid)).isFalse();
        release.countDown();
        assertThat(TestSupport.valueOf(blocked)).isEqualTo(1);
        assertThat(c.lastReturnedOn).as("the handler returned on the fiber it blocked on").isSameAs(fiber);
        assertThat((Integer) node.call("blocker", "bump")).isEqualTo(2);
    }

    @Test
    void hibernate_after_zero_serves_every_burst_on_a_fresh_fiber_and_loses_nothing() {
        Counter c = new Counter();
        Pid pid = spawnCounter("eager", c, Duration.ZERO);
        for (int i = 1; i <= 200; i++) {
            assertThat((Integer) node.call("eager", "bump")).isEqualTo(i);
        }
        assertThat(c.fibers.size()).as("fibers used").isGreaterThan(1);
        awaitHibernating(pid);
    }

    @Test
    void wake_ups_racing_hibernation_apply_every_call_exactly_once() throws Exception {
        Counter c = new Counter();
        spawnCounter("raced", c, Duration.ZERO);
        int callers = 16;
        int calls = 300;
        List<CompletableFuture<List<Integer>>> results = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            CompletableFuture<List<Integer>> f = new CompletableFuture<>();
            results.add(f);
            Thread.Builder b = t % 2 == 0 ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            b.start(() -> {
                try {
                    List<Integer> seen = new ArrayList<>();
                    for (int i = 0; i < calls; i++) {
                        seen.add(node.call("raced", "bump", LONG_TIMEOUT));
                        if (ThreadLocalRandom.current().nextInt(4) == 0) {
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(200_000)); // let it fall asleep
                        }
                    }
                    f.complete(seen);
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
        }
        Set<Integer> all = new HashSet<>();
        for (CompletableFuture<List<Integer>> f : results) {
            List<Integer> seen = f.get(60, TimeUnit.SECONDS);
            for (int i = 1; i < seen.size(); i++) assertThat(seen.get(i)).as("one caller's replies grow").isGreaterThan(seen.get(i - 1));
            all.addAll(seen);
        }
        // Every acknowledged call applied once: the replies are exactly 1..n, none twice, none lost.
        assertThat(all).hasSize(callers * calls);
        assertThat(all).allMatch(n -> n >= 1 && n <= callers * calls);
        assertThat((Integer) node.call("raced", "bump")).isEqualTo(callers * calls + 1);
    }

    @Test
    void sends_from_one_sender_arrive_in_order_across_hibernation() {
        Recorder r = new Recorder();
        Pid pid = node.spawn(SpawnOptions.named("ordered").withHibernateAfter(Duration.ZERO), r);
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            node.send(pid, i);
            if (i % 100 == 0) LockSupport.parkNanos(100_000);
        }
        for (int i = 0; i < n; i++) assertThat(r.next()).isEqualTo(i);
    }

    @Test
    void kill_of_a_hibernating_process_is_at_once_and_tells_its_watchers() {
        Counter c = new Counter();
        Pid pid = spawnCounter("sleeper", c, SOON);
        node.call("sleeper", "bump");
        Recorder watcher = recorder();
        MonitorRef ref = node.monitor(watcher.self(), pid);
        Recorder linked = recorder(SpawnOptions.anonymous().withTrapExits(true));
        node.link(pid, linked.self());
        awaitHibernating(pid);

        node.kill(pid);

        assertThat(node.isAlive(pid)).isFalse();
        assertThat(node.isHibernating(pid)).isFalse();
        assertThat(node.whereis("sleeper")).isEmpty();
        assertThat(watcher.next(Down.class)).isEqualTo(new Down(ref, pid, ExitReason.KILLED));
        assertThat(linked.next(Exit.class)).isEqualTo(new Exit(pid, ExitReason.KILLED));
        assertThat(c.terminated.get()).as("a kill runs no stop hook").isZero();
    }

    @Test
    void a_graceful_stop_wakes_a_hibernating_process_to_run_its_stop_hook() {
        Counter c = new Counter();
        Pid pid = spawnCounter("stopper", c, SOON);
        node.call("stopper", "bump");
        awaitHibernating(pid);
        ExitReason reason = node.stop(pid, WAIT);
        assertThat(reason).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(c.terminated.get()).isEqualTo(1);
    }

    @Test
    void a_timer_wakes_a_hibernating_process() throws InterruptedException {
        java.util.concurrent.BlockingQueue<Object> got = new java.util.concurrent.LinkedBlockingQueue<>();
        Pid pid = node.spawn(SpawnOptions.named("timed").withHibernateAfter(Duration.ZERO), message -> {
            if ("arm".equals(message)) ProcessContext.timers().startSingle("t", Duration.ofMillis(600), "tick");
            got.add(message);
            return message;
        });
        node.call("timed", "arm");
        assertThat(got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("arm");
        awaitHibernating(pid);
        assertThat(got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("tick");
    }

    @Test
    void a_fresh_fiber_gets_the_process_s_context_class_loader_not_the_waker_s() throws Exception {
        ClassLoader spawnerLoader = Thread.currentThread().getContextClassLoader();
        AtomicInteger seen = new AtomicInteger();
        List<ClassLoader> loaders = new java.util.concurrent.CopyOnWriteArrayList<>();
        Pid pid = node.spawn(SpawnOptions.named("loader").withHibernateAfter(SOON), message -> {
            loaders.add(Thread.currentThread().getContextClassLoader());
            return seen.incrementAndGet();
        });
        node.call("loader", "x");
        awaitHibernating(pid);
        ClassLoader other = new java.net.URLClassLoader(new java.net.URL[0], null);
        Thread waker = Thread.ofPlatform().unstarted(() -> node.call("loader", "y"));
        waker.setContextClassLoader(other);
        waker.start();
        waker.join(WAIT.toMillis());
        assertThat(seen.get()).isEqualTo(2);
        assertThat(loaders).containsExactly(spawnerLoader, spawnerLoader);
    }

    @Test
    void a_kill_while_it_wakes_fails_the_waking_call_at_once() {
        for (int round = 0; round < 200; round++) {
            String name = "w" + round;
            Counter c = new Counter();
            Pid pid = spawnCounter(name, c, Duration.ZERO);
            CompletableFuture<Object> call = inBackground(() -> node.call(name, "bump", LONG_TIMEOUT));
            if (round % 2 == 0) Thread.onSpinWait();
            node.kill(pid);
            try {
                Object v = call.get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(v).isEqualTo(1); // handled before the kill
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOfAny(ProcessCrashedException.class, NoProcessException.class);
            } catch (Exception e) {
                throw new AssertionError("round " + round + ": the call did not end at once", e);
            }
        }
    }

    @Test
    void many_idle_processes_hibernate_and_all_answer_again() {
        int n = 5_000;
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < n; i++) pids.add(spawnCounter("many-" + i, new Counter(), SOON));
        for (int i = 0; i < n; i++) node.call("many-" + i, "bump");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> pids.stream().allMatch(node::isHibernating));
        for (int i = 0; i < n; i++) assertThat((Integer) node.call("many-" + i, "bump")).isEqualTo(2);
    }

    @Test
    void a_crashing_process_crashes_the_same_way_after_it_woke() {
        Pid pid = node.spawn(SpawnOptions.named("failing").withHibernateAfter(SOON), message -> {
            if ("boom".equals(message)) throw new TestSupport.Boom("boom");
            return message;
        });
        Recorder watcher = recorder();
        MonitorRef ref = node.monitor(watcher.self(), pid);
        node.call("failing", "hello");
        awaitHibernating(pid);
        Throwable t = failureOf(inBackground(() -> node.call("failing", "boom", LONG_TIMEOUT)), AT_ONCE);
        assertThat(t).isInstanceOf(ProcessCrashedException.class);
        ExitReason reason = ((ProcessCrashedException) t).reason();
        assertThat(reason).isInstanceOf(ExitReason.Crashed.class);
        assertThat(watcher.next(Down.class)).isEqualTo(new Down(ref, pid, reason));
        assertThat(node.isAlive(pid)).isFalse();
    }

    @Test
    void a_supervised_worker_hibernates_with_its_spec_s_hibernate_after_and_restarts_as_before() {
        Counter[] made = new Counter[2];
        java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
        Supervisor sup = node.startSupervisor(SupervisorSpec.of("sup").withChild(WorkerSpec.of("worker", () -> {
            Counter c = new Counter();
            made[Math.min(starts.getAndIncrement(), 1)] = c;
            return c;
        }).withHibernateAfter(Duration.ZERO)));
        Pid first = node.whereis("worker").orElseThrow();
        assertThat((Integer) node.call("worker", "bump")).isEqualTo(1);
        awaitHibernating(first);
        // A crash from outside while it hibernates: the supervisor restarts it as ever, with fresh state.
        node.exit(first, ExitReason.crashed(new TestSupport.Boom("while asleep")));
        await().atMost(WAIT).until(() -> node.whereis("worker").filter(p -> !p.equals(first)).isPresent());
        assertThat((Integer) node.call("worker", "bump")).isEqualTo(1);
        assertThat(sup.pid()).isNotNull();
    }

    @Test
    void a_process_whose_timer_is_due_within_its_hibernate_after_stays_awake_for_it() throws InterruptedException {
        java.util.concurrent.BlockingQueue<Object> got = new java.util.concurrent.LinkedBlockingQueue<>();
        Pid pid = node.spawn(SpawnOptions.named("ticking").withHibernateAfter(Duration.ofSeconds(1)), message -> {
            if ("arm".equals(message)) ProcessContext.timers().startSingle("t", Duration.ofMillis(1200), "tick");
            got.add(message);
            return message;
        });
        node.call("ticking", "arm");
        // Idle for longer than its hibernate-after, but its tick is due sooner: hibernating would only mean waking at once.
        boolean sawHibernating = false;
        Object next;
        while ((next = got.poll(10, TimeUnit.MILLISECONDS)) == null || "arm".equals(next)) {
            sawHibernating |= node.isHibernating(pid);
        }
        assertThat(next).isEqualTo("tick");
        assertThat(sawHibernating).as("hibernated while its tick was due within its hibernate-after").isFalse();
        awaitHibernating(pid); // no timer left: now it does
    }
}
