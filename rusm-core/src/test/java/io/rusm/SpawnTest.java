package io.rusm;

import io.rusm.TestSupport.Boom;
import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.rusm.TestSupport.LONG_TIMEOUT;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.awaitLatch;
import static io.rusm.TestSupport.failsAtOnce;
import static io.rusm.TestSupport.inBackground;
import static io.rusm.TestSupport.valueOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** Spawning: init on the fiber, failed starts, names, incarnations, and a process calling itself. */
class SpawnTest extends NodeTestBase {

    /** Records where and when init ran relative to messages. */
    static final class InitProbe implements Behavior {
        final List<Object> log = new CopyOnWriteArrayList<>();
        final CountDownLatch initEntered = new CountDownLatch(1);
        final CountDownLatch initMayFinish = new CountDownLatch(1);
        volatile Thread initThread;
        volatile Thread handlerThread;
        volatile boolean initInProcess;
        volatile Pid initSelf;

        @Override
        public void init() throws Exception {
            initThread = Thread.currentThread();
            initInProcess = ProcessContext.inProcess();
            initSelf = ProcessContext.self();
            initEntered.countDown();
            assertThat(initMayFinish.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            log.add("init");
        }

        @Override
        public Object handle(Object message) {
            handlerThread = Thread.currentThread();
            log.add(message);
            return message;
        }
    }

    @Test
    void init_runs_on_the_process_fiber_before_the_first_message_and_spawn_waits_for_it() {
        InitProbe probe = new InitProbe();
        CompletableFuture<Object> spawned = inBackground(() -> node.spawn(SpawnOptions.named("svc"), probe));
        awaitLatch(probe.initEntered, "init running");
        // The name is registered while init runs: a message sent now waits behind init.
        await().atMost(WAIT).until(() -> node.whereis("svc").isPresent());
        node.send("svc", "early");
        assertThat(spawned).as("spawn returns only once init has run").isNotDone();

        probe.initMayFinish.countDown();
        Pid pid = (Pid) valueOf(spawned);

        assertThat(node.<String>call("svc", "sync")).isEqualTo("sync");
        assertThat(probe.log).containsExactly("init", "early", "sync");
        assertThat(probe.initThread.isVirtual()).isTrue();
        assertThat(probe.initThread).isSameAs(probe.handlerThread);
        assertThat(probe.initInProcess).isTrue();
        assertThat(probe.initSelf).isEqualTo(pid);
    }

    @Test
    void handlers_run_on_a_virtual_thread_named_after_the_pid() {
        Pid pid = spawn("svc", m -> Thread.currentThread());
        Thread fiber = node.call("svc", "x");
        assertThat(fiber.isVirtual()).isTrue();
        assertThat(fiber.getName()).isEqualTo(pid.toString());
    }

    @Test
    void init_throwing_makes_spawn_throw_process_crashed_with_the_cause_and_leaves_the_name_free() {
        Boom boom = new Boom("bad config");
        Behavior failing = new Behavior() {
            @Override
            public void init() {
                throw boom;
            }

            @Override
            public Object handle(Object message) {
                return message;
            }
        };

        Throwable t = failsAtOnce(() -> node.spawn(SpawnOptions.named("svc"), failing));

        assertThat(t).isInstanceOf(ProcessCrashedException.class).hasCause(boom);
        ProcessCrashedException e = (ProcessCrashedException) t;
        assertThat(e.reason()).isEqualTo(ExitReason.crashed(boom));
        assertThat(e.pid().name()).isEqualTo("svc");
        assertThat(node.whereis("svc")).isEmpty();
        assertThat(node.processCount()).isZero();
        assertThat(events.awaitExit(e.pid())).isEqualTo(ExitReason.crashed(boom));
        Pid next = spawn("svc", m -> m);
        assertThat(next.incarnation()).isGreaterThan(e.pid().incarnation());
    }

    @Test
    void init_throwing_a_checked_exception_is_the_cause_as_is() {
        Exception checked = new java.io.IOException("no disk");
        Throwable t = catchThrowable(() -> node.spawn(new Behavior() {
            @Override
            public void init() throws Exception {
                throw checked;
            }

            @Override
            public Object handle(Object message) {
                return message;
            }
        }));
        assertThat(t).isInstanceOf(ProcessCrashedException.class).hasCause(checked);
    }

    @Test
    void init_exceeding_the_start_timeout_fails_spawn_and_the_process_is_gone() {
        CountDownLatch never = new CountDownLatch(1);
        Behavior slow = new Behavior() {
            @Override
            public void init() throws Exception {
                never.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public Object handle(Object message) {
                return message;
            }
        };
        Throwable t = catchThrowable(() -> node.spawn(
                SpawnOptions.named("slow").withStartTimeout(Duration.ofMillis(200)), slow));
        assertThat(t).isInstanceOf(RusmException.class);
        assertThat(node.whereis("slow")).isEmpty();
        assertThat(node.processCount()).isZero();
    }

    @Test
    void a_spawner_interrupted_while_init_runs_fails_keeps_its_interrupt_and_the_process_is_gone() throws Exception {
        InitProbe probe = new InitProbe(); // init waits for initMayFinish, which never comes
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread spawner = Thread.ofVirtual().start(() -> {
            failure.set(catchThrowable(() -> node.spawn(SpawnOptions.named("interrupted"), probe)));
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        awaitLatch(probe.initEntered, "init entered");
        spawner.interrupt();
        spawner.join(WAIT);
        assertThat(spawner.isAlive()).as("spawn returned").isFalse();
        assertThat(failure.get()).isInstanceOf(RusmException.class).hasMessageContaining("interrupted while starting");
        assertThat(interruptKept).isTrue();
        assertThat(node.whereis("interrupted")).isEmpty();
        probe.initMayFinish.countDown();
    }

    @Test
    void second_spawn_with_a_live_name_throws_illegal_state() {
        Pid first = spawn("svc", m -> "first");
        assertThatThrownBy(() -> spawn("svc", m -> "second")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("svc");
        assertThat(node.whereis("svc")).contains(first);
        assertThat(node.<String>call("svc", "x")).isEqualTo("first");
        assertThat(node.processCount()).isEqualTo(1);
    }

    @Test
    void name_of_a_dead_process_can_be_taken_again() {
        Pid first = spawn("svc", m -> "first");
        node.kill(first);
        Pid second = spawn("svc", m -> "second");
        assertThat(node.whereis("svc")).contains(second);
    }

    @Test
    void incarnation_numbers_increase_per_name() {
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Pid pid = spawn("svc", m -> m);
            seen.add(pid.incarnation());
            if (i % 2 == 0) node.kill(pid);
            else node.stop(pid, WAIT);
        }
        assertThat(seen).first().isEqualTo(1L);
        assertThat(seen).isSorted().doesNotHaveDuplicates();
        assertThat(spawn("other", m -> m).incarnation()).as("counted per name").isEqualTo(1L);
    }

    @Test
    void pids_carry_node_name_and_incarnation_and_are_values() {
        Pid pid = spawn("svc", m -> m);
        assertThat(pid.node()).isEqualTo("test");
        assertThat(pid.name()).isEqualTo("svc");
        assertThat(pid.isNamed()).isTrue();
        assertThat(pid).isEqualTo(new Pid("test", "svc", pid.incarnation()));
        assertThat(pid.toString()).isEqualTo("<test.svc." + pid.incarnation() + ">");
        assertThat(node.whereis("svc")).contains(pid);
    }

    @Test
    void anonymous_processes_get_distinct_unnamed_pids() {
        Set<Pid> pids = new HashSet<>();
        for (int i = 0; i < 10; i++) pids.add(node.spawn(m -> m));
        assertThat(pids).hasSize(10).allSatisfy(p -> assertThat(p.isNamed()).isFalse());
        assertThat(node.processCount()).isEqualTo(10);
        for (Pid p : pids) assertThat(node.<String>call(p, "x")).isEqualTo("x");
    }

    @Test
    void spawn_options_reject_invalid_names_and_capacities() {
        assertThatThrownBy(() -> SpawnOptions.named(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpawnOptions.named("<anon-1>")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpawnOptions.named("svc").withMailboxCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Node.builder().defaultCallTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Pid("n", "x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void calling_yourself_by_name_throws_illegal_state_instead_of_deadlocking() {
        Pid pid = spawn("narcissus", m -> {
            try {
                node.call("narcissus", "again", LONG_TIMEOUT);
                return "answered";
            } catch (IllegalStateException e) {
                return e;
            }
        });
        Object reply = failsOrReturnsAtOnce(() -> node.call("narcissus", "hello", LONG_TIMEOUT));
        assertThat(reply).isInstanceOf(IllegalStateException.class);
        assertThat(node.isAlive(pid)).isTrue();
    }

    @Test
    void calling_yourself_by_pid_throws_illegal_state_and_uncaught_it_crashes_the_process() {
        Pid pid = spawn("narcissus", m -> node.call(ProcessContext.self(), "again", LONG_TIMEOUT));
        Object outcome = failsOrReturnsAtOnce(() -> node.call("narcissus", "hello", LONG_TIMEOUT));
        assertThat(outcome).isInstanceOf(ProcessCrashedException.class);
        assertThat(((Throwable) outcome).getCause()).isInstanceOf(IllegalStateException.class);
        assertThat(node.isAlive(pid)).isFalse();
    }

    @Test
    void processes_call_each_other() {
        spawn("b", m -> "b:" + m);
        spawn("a", m -> "a:" + node.call("b", m));
        assertThat(node.<String>call("a", "x")).isEqualTo("a:b:x");
    }

    @Test
    void node_describes_itself() {
        Recorder r = recorder();
        assertThat(node.name()).isEqualTo("test");
        assertThat(node.defaultCallTimeout()).isEqualTo(LONG_TIMEOUT);
        assertThat(node.toString()).contains("test").contains("1");
        assertThat(node.isAlive(r.self())).isTrue();
    }

    /** The reply or failure of {@code call}, which must come within {@link TestSupport#AT_ONCE}. */
    private static Object failsOrReturnsAtOnce(java.util.concurrent.Callable<?> call) {
        CompletableFuture<Object> f = inBackground(call);
        try {
            return f.handle((v, t) -> t != null ? t : v).get(TestSupport.AT_ONCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("no outcome within " + TestSupport.AT_ONCE + ": a deadlock?", e);
        }
    }
}
