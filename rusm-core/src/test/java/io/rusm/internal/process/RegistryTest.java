package io.rusm.internal.process;

import io.rusm.ExitReason;
import io.rusm.Pid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The registry on its own, in both of a name's shapes: a name nobody holds maps to its live process
 * itself, a held one to a slot that outlives its processes. Across every change between the two a
 * pid is never reused, the live count follows what is registered, and what nobody uses is forgotten.
 */
@Timeout(60)
class RegistryTest {
    private static final Field EXIT_REASON;
    static {
        try {
            EXIT_REASON = Process.class.getDeclaredField("exitReason");
            EXIT_REASON.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Registry registry = new Registry();

    private Process register(String name) {
        return registry.register(name, false, incarnation ->
                new Process(null, new Pid("test", name, incarnation), incarnation, m -> m, 16, false, -1));
    }

    /** Marks {@code p} dead with {@code reason}: what its ending does first, before it unregisters it. */
    private static void markDead(Process p, ExitReason reason) {
        try {
            EXIT_REASON.set(p, reason);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    /** Marks {@code p} dead and unregisters it, as its ending does. */
    private void end(Process p) {
        markDead(p, ExitReason.NORMAL);
        registry.unregister(p);
    }

    @Test
    void a_name_nobody_holds_is_forgotten_with_its_process_and_never_reuses_a_pid() {
        Process a1 = register("a");
        assertThat(a1.pid().incarnation()).isEqualTo(1);
        assertThat(registry.byName("a")).isSameAs(a1);
        assertThat(registry.byPid(a1.pid())).isSameAs(a1);
        assertThatThrownBy(() -> register("a")).hasMessageContaining("already registered");
        assertThat(registry.size()).isEqualTo(1);

        end(a1);
        assertThat(registry.byName("a")).isNull();
        assertThat(registry.names()).as("forgotten").isZero();
        assertThat(registry.size()).isZero();

        Process a2 = register("a");
        assertThat(a2.pid().incarnation()).as("above the forgotten one").isGreaterThan(1);
        assertThat(registry.byPid(a1.pid())).as("the old pid resolves to nothing").isNull();
    }

    @Test
    void holding_a_live_name_keeps_its_process_and_counter_and_letting_go_returns_to_the_process_alone() {
        Process b1 = register("b");
        registry.hold("b");
        assertThat(registry.byName("b")).as("still found while held").isSameAs(b1);
        assertThat(registry.size()).isEqualTo(1);

        end(b1);
        assertThat(registry.names()).as("held: remembered though nothing runs").isEqualTo(1);
        assertThat(registry.size()).isZero();
        Process b2 = register("b");
        assertThat(b2.pid().incarnation()).as("the slot's counter goes on").isEqualTo(2);

        registry.release("b");
        assertThat(registry.byName("b")).as("unheld, the live process alone").isSameAs(b2);
        assertThat(registry.names()).isEqualTo(1);
        Process b3 = replaceDead(b2, "b");
        assertThat(b3.pid().incarnation()).isEqualTo(3);
        end(b3);
        assertThat(registry.names()).isZero();
        assertThat(register("b").pid().incarnation()).isGreaterThan(3);
    }

    @Test
    void a_dead_process_not_yet_unregistered_is_replaced_and_its_late_unregister_changes_nothing() {
        Process c1 = register("c");
        markDead(c1, ExitReason.KILLED);
        Process c2 = register("c"); // its ending has not unregistered it yet
        assertThat(c2.pid().incarnation()).isEqualTo(2);
        registry.unregister(c1);
        assertThat(registry.byName("c")).isSameAs(c2);
        assertThat(registry.size()).isEqualTo(1);

        registry.hold("c");
        registry.release("c");
        registry.release("c"); // one release too many: harmless
        assertThat(registry.byName("c")).isSameAs(c2);
        end(c2);
        assertThat(registry.names()).isZero();
        assertThat(registry.size()).isZero();
    }

    @Test
    void a_held_name_with_nothing_running_is_forgotten_on_release() {
        registry.hold("d");
        assertThat(registry.names()).isEqualTo(1);
        assertThat(registry.byName("d")).isNull();
        assertThat(registry.size()).isZero();
        registry.release("d");
        assertThat(registry.names()).isZero();
    }

    @Test
    void anonymous_processes_cost_no_slot_and_start_at_one() {
        Process p = registry.register("<anon-1>", true, i -> new Process(null, new Pid("test", "<anon-1>", i), i, m -> m, 16, false, -1));
        assertThat(p.pid().incarnation()).isEqualTo(1);
        end(p);
        assertThat(registry.names()).isZero();
    }

    @Test
    void registers_ends_holds_and_releases_at_once_never_reuse_a_pid_nor_lose_count() throws Exception {
        int threads = 4, rounds = 20_000;
        String[] names = {"x", "y", "z"};
        ConcurrentHashMap<Pid, Boolean> seen = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    java.util.Random random = new java.util.Random(id);
                    for (int i = 0; i < rounds; i++) {
                        String name = names[random.nextInt(names.length)];
                        if (random.nextInt(4) == 0) {
                            registry.hold(name);
                            Thread.onSpinWait();
                            registry.release(name);
                            continue;
                        }
                        Process p;
                        try {
                            p = register(name);
                        } catch (IllegalStateException taken) {
                            continue; // another thread's live process has it
                        }
                        if (seen.putIfAbsent(p.pid(), true) != null) throw new AssertionError("pid reused: " + p.pid());
                        end(p);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        go.countDown();
        for (Thread t : all) t.join(TimeUnit.SECONDS.toMillis(50));
        if (failure.get() != null) throw new AssertionError(failure.get());
        for (Thread t : all) assertThat(t.isAlive()).isFalse();
        assertThat(seen).isNotEmpty();
        assertThat(registry.size()).as("every registered process ended").isZero();
        assertThat(registry.names()).as("nothing held, nothing running: nothing remembered").isZero();
    }

    /** Marks {@code dead} dead and registers its successor before the ending unregisters it. */
    private Process replaceDead(Process dead, String name) {
        markDead(dead, ExitReason.NORMAL);
        Process next = register(name);
        registry.unregister(dead);
        return next;
    }
}
