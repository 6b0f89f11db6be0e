package io.rusm.memory;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.ResidentService;
import io.rusm.ServiceDefinition;
import io.rusm.SpawnOptions;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class MemoryCapTest {
    private static final long MB = 1024 * 1024;

    /** Grows by one megabyte per call and never lets go. */
    @ResidentService("hoarder")
    public static class Hoarder {
        private final List<byte[]> kept = new ArrayList<>();

        public int grow() {
            kept.add(new byte[(int) MB]);
            return kept.size();
        }

        public int size() {
            return kept.size();
        }

        /** Grows by {@code mb} megabytes from a message that is itself tiny. */
        public int growBy(int mb) {
            for (int i = 0; i < mb; i++) kept.add(new byte[(int) MB]);
            return kept.size();
        }

        /** Keeps {@code value}: the message is as large as what it adds. */
        public int keep(byte[] value) {
            kept.add(value);
            return kept.size();
        }

        public int allocateTooMuch() {
            long[] rows = new long[Integer.MAX_VALUE]; // OutOfMemoryError at once: past the VM's array limit
            return rows.length;
        }
    }

    /** Keeps nothing in its fields; what it holds is in its timers' messages, an hour from firing. */
    @ResidentService("timerHoarder")
    public static class TimerHoarder {
        /** A timer message that carries a payload (a service's timers deliver Runnables). */
        record Big(byte[] payload) implements Runnable {
            @Override
            public void run() {
            }
        }

        public int arm(int timers, int bytesEach) {
            io.rusm.Timers t = io.rusm.ProcessContext.timers();
            Runnable shared = new Big(new byte[0]);
            for (int i = 0; i < timers; i++) t.startSingle("t" + i, Duration.ofHours(1), bytesEach == 0 ? shared : new Big(new byte[bytesEach]));
            return t.keys().size();
        }

        public int active() {
            return io.rusm.ProcessContext.timers().keys().size();
        }
    }

    @ResidentService("bystander")
    public static class Bystander {
        private long n;

        public long ping() {
            return ++n;
        }
    }

    private final Node node = Node.create();

    @AfterEach
    void close() {
        node.shutdown(Duration.ofSeconds(5));
    }

    private Supervisor tree(long capBytes) {
        ServiceDefinition hoarder = ServiceDefinition.of(Hoarder.class);
        ServiceDefinition bystander = ServiceDefinition.of(Bystander.class);
        return node.startSupervisor(SupervisorSpec.of("root").withIntensity(10, Duration.ofSeconds(30)).withChildren(List.of(
                WorkerSpec.of("hoarder", () -> hoarder.newBehavior(Hoarder::new)).withMaxMemoryBytes(capBytes),
                WorkerSpec.of("bystander", () -> bystander.newBehavior(Bystander::new)))));
    }

    @Test
    void a_service_that_grows_past_its_cap_crashes_with_memory_limit_and_comes_back_empty() {
        var exits = new java.util.concurrent.ConcurrentHashMap<Pid, ExitReason>();
        node.addListener(new io.rusm.event.ProcessListener() {
            @Override
            public void exited(Pid pid, ExitReason reason) {
                exits.put(pid, reason);
            }
        });
        tree(8 * MB);
        Pid first = node.whereis("hoarder").orElseThrow();
        // The call whose message took it past the cap is answered; the check after it ends the
        // incarnation, so a later call fails (crashed if it was queued, noproc if it came after).
        io.rusm.RusmException failure = null;
        for (int i = 0; i < 64 && failure == null; i++) {
            try {
                node.call("hoarder", invocation("grow"));
            } catch (ProcessCrashedException | io.rusm.NoProcessException e) {
                failure = e;
            }
        }
        assertThat(failure).as("the hoarder must hit its cap within 64 MB of growth").isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey(first));
        assertThat(exits.get(first)).isInstanceOf(ExitReason.MemoryLimit.class);
        ExitReason.MemoryLimit limit = (ExitReason.MemoryLimit) exits.get(first);
        assertThat(limit.limitBytes()).isEqualTo(8 * MB);
        assertThat(limit.usedBytes()).isGreaterThan(8 * MB);

        await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("hoarder").filter(p -> !p.equals(first)).isPresent());
        assertThat((Integer) node.call("hoarder", invocation("size"))).isZero();
        assertThat((Long) node.call("bystander", invocation("ping"))).isEqualTo(1L);
    }

    /**
     * Timer state is the incarnation's: {@code timers} timers of {@code bytesEach} each (or sharing one
     * tiny message) take a service whose own fields hold nothing past a {@code capMb} cap; it is crashed
     * with {@code memoryLimit}, its timers leave the scheduler with it, and it restarts with none.
     */
    private void timersTripTheCap(long capBytes, int timers, int bytesEach) {
        var exits = new java.util.concurrent.ConcurrentHashMap<Pid, ExitReason>();
        node.addListener(new io.rusm.event.ProcessListener() {
            @Override
            public void exited(Pid pid, ExitReason reason) {
                exits.put(pid, reason);
            }
        });
        ServiceDefinition def = ServiceDefinition.of(TimerHoarder.class);
        node.startSupervisor(SupervisorSpec.of("root").withChild(
                WorkerSpec.of("timerHoarder", () -> def.newBehavior(TimerHoarder::new)).withMaxMemoryBytes(capBytes)));
        Pid first = node.whereis("timerHoarder").orElseThrow();
        int queuedBefore = io.rusm.internal.timer.SharedTimerScheduler.INSTANCE.queued();

        try {
            assertThat((Integer) node.call("timerHoarder", arm(timers, bytesEach))).isEqualTo(timers);
        } catch (ProcessCrashedException e) {
            // measured before the reply: the call that armed them got the crash
        }
        // Past the cap only through its timers: measured at the latest by the idle check, within a second.
        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey(first));
        assertThat(exits.get(first)).isInstanceOf(ExitReason.MemoryLimit.class);
        assertThat(((ExitReason.MemoryLimit) exits.get(first)).usedBytes()).isGreaterThan(capBytes);
        assertThat(io.rusm.internal.timer.SharedTimerScheduler.INSTANCE.queued())
                .as("the dead incarnation's timers are gone from the scheduler").isLessThanOrEqualTo(queuedBefore);

        await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("timerHoarder").filter(p -> !p.equals(first)).isPresent());
        assertThat((Integer) node.call("timerHoarder", invocation("active"))).as("restarted without timers").isZero();
        Pid second = node.whereis("timerHoarder").orElseThrow();
        assertThat(node.activeTimers(second)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> node.memoryBytes(second) >= 0);
        assertThat(node.memoryBytes(second)).as("restarted clean").isLessThan(capBytes / 4);
    }

    @Test
    void timers_carrying_big_messages_count_toward_the_cap() {
        timersTripTheCap(4 * MB, 2_000, 4096); // 8 MB in messages, nothing in fields
    }

    @Test
    void huge_numbers_of_timers_count_toward_the_cap() {
        timersTripTheCap(2 * MB, 20_000, 0); // ~5 MB of entries and keys, one shared tiny message
    }

    @Test
    void the_reported_size_includes_the_timers() {
        ServiceDefinition def = ServiceDefinition.of(TimerHoarder.class);
        node.startSupervisor(SupervisorSpec.of("root").withChild(
                WorkerSpec.of("timerHoarder", () -> def.newBehavior(TimerHoarder::new)).withMaxMemoryBytes(64 * MB)));
        Pid pid = node.whereis("timerHoarder").orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> node.memoryBytes(pid) >= 0);
        long empty = node.memoryBytes(pid);
        node.call("timerHoarder", arm(100, 10_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.memoryBytes(pid) > empty + 1_000_000);
        assertThat(node.isAlive(pid)).isTrue();
    }

    @Test
    void memory_is_reported_for_capped_processes_only() {
        tree(64 * MB);
        node.call("hoarder", invocation("grow"));
        Pid hoarder = node.whereis("hoarder").orElseThrow();
        // Measured on a time budget, so a few more messages may pass before the next check.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            node.call("hoarder", invocation("size"));
            return node.memoryBytes(hoarder) > MB;
        });
        assertThat(node.memoryBytes(node.whereis("bystander").orElseThrow())).isEqualTo(-1);
    }

    @Test
    void out_of_memory_inside_a_handler_crashes_only_that_service() {
        tree(0);
        assertThatThrownBy(() -> node.call("hoarder", invocation("allocateTooMuch")))
                .isInstanceOf(ProcessCrashedException.class)
                .satisfies(e -> assertThat(((ProcessCrashedException) e).reason()).isInstanceOf(ExitReason.Crashed.class))
                .hasCauseInstanceOf(OutOfMemoryError.class);
        assertThat((Long) node.call("bystander", invocation("ping"))).isEqualTo(1L);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("hoarder").isPresent());
    }

    @Test
    void init_past_the_cap_fails_the_spawn() {
        record Big(long[] data) {}
        assertThatThrownBy(() -> node.spawn(SpawnOptions.named("big").withMaxMemoryBytes(MB),
                new io.rusm.Behavior() {
                    final Big big = new Big(new long[(int) (2 * MB / 8)]);

                    @Override
                    public Object handle(Object message) {
                        return big;
                    }
                }))
                .isInstanceOf(ProcessCrashedException.class)
                .satisfies(e -> assertThat(((ProcessCrashedException) e).reason()).isInstanceOf(ExitReason.MemoryLimit.class));
    }

    private static Object invocation(String method) {
        return new io.rusm.internal.service.Invocation(io.rusm.internal.service.HandlerKey.of(method), -1, null);
    }

    private static Object arm(int timers, int bytesEach) {
        return new io.rusm.internal.service.Invocation(io.rusm.internal.service.HandlerKey.of("arm", int.class, int.class), -1,
                new Object[] {timers, bytesEach});
    }

    private static Object invocation(String method, Class<?> type, Object arg) {
        return new io.rusm.internal.service.Invocation(io.rusm.internal.service.HandlerKey.of(method, type), -1, new Object[] {arg});
    }

    @Test
    void a_service_that_went_past_its_cap_and_then_idles_is_crashed_within_a_second() {
        var exits = exitsOf(node);
        tree(8 * MB);
        Pid first = node.whereis("hoarder").orElseThrow();
        node.call("hoarder", invocation("growBy", int.class, 16)); // one tiny message, 16 MB retained; then nothing
        long after = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> exits.containsKey(first));
        long crashedAfterMillis = (System.nanoTime() - after) / 1_000_000;
        assertThat(exits.get(first)).isInstanceOf(ExitReason.MemoryLimit.class);
        // the 1 s bound, plus a wide margin for a loaded machine
        assertThat(crashedAfterMillis).as("crashed while idle, %d ms after the message", crashedAfterMillis).isLessThan(2_500);
    }

    @Test
    void the_reported_size_of_an_idle_service_is_fresh_within_a_second() {
        tree(64 * MB);
        Pid hoarder = node.whereis("hoarder").orElseThrow();
        node.call("hoarder", invocation("growBy", int.class, 4));
        await().atMost(Duration.ofMillis(2_500)).until(() -> node.memoryBytes(hoarder) > 4 * MB);
        assertThat(node.isAlive(hoarder)).isTrue();
    }

    @Test
    void the_call_whose_large_message_crosses_the_cap_gets_the_crash() {
        tree(64 * MB);
        Pid first = node.whereis("hoarder").orElseThrow();
        int answered = 0;
        ProcessCrashedException crash = null;
        for (int i = 0; i < 12 && crash == null; i++) {
            try {
                node.call(first, invocation("keep", byte[].class, new byte[(int) (10 * MB)]));
                answered++;
            } catch (ProcessCrashedException e) {
                crash = e;
            }
        }
        assertThat(crash).as("a 10 MB value must cross a 64 MB cap within 12 puts").isNotNull();
        assertThat(crash.reason()).isInstanceOf(ExitReason.MemoryLimit.class);
        ExitReason.MemoryLimit limit = (ExitReason.MemoryLimit) crash.reason();
        assertThat(answered).as("values kept before the crash").isBetween(5, 6);
        assertThat(limit.usedBytes()).as("held at most the cap plus one message").isBetween(64 * MB, 64 * MB + 10 * MB + MB);
    }

    private static java.util.Map<Pid, ExitReason> exitsOf(Node node) {
        var exits = new java.util.concurrent.ConcurrentHashMap<Pid, ExitReason>();
        node.addListener(new io.rusm.event.ProcessListener() {
            @Override
            public void exited(Pid pid, ExitReason reason) {
                exits.put(pid, reason);
            }
        });
        return exits;
    }
}
