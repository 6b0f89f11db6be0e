package io.rusm.supervision;

import io.rusm.Behavior;
import io.rusm.ChildSnapshot;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.Supervisor;
import io.rusm.WorkerSpec;
import io.rusm.event.ProcessListener;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Behaviors and helpers for the supervision scenarios (after OTP's {@code supervisor_SUITE}).
 *
 * <p>Every wait is bounded ({@link #WAIT}); nothing sleeps to synchronize. Where a test needs to
 * know that a supervisor has finished reacting to an exit, it {@link #flush flushes} the
 * supervisor: a call goes through its mailbox behind the exit it is handling, so its (ignored)
 * reply means every earlier message has been handled.
 */
final class SupervisionFixtures {
    private SupervisionFixtures() {}

    /** Upper bound for every wait in these tests. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /** A period long enough that intensity windows never expire during a test. */
    static final Duration LONG_PERIOD = Duration.ofMinutes(10);

    // messages understood by Counter
    static final String INC = "inc";
    static final String GET = "get";
    static final String CRASH = "crash";
    static final String STOP_NORMAL = "stop-normal";
    static final String STOP_SHUTDOWN = "stop-shutdown";
    static final String BLOCK = "block";

    /** An undeclared failure: crashes the process that throws it. */
    static final class Boom extends RuntimeException {
        Boom(String message) {
            super(message);
        }
    }

    /** Thread-safe, ordered record of lifecycle events ("init:a", "terminate:a", ...). */
    static final class Journal {
        private final List<String> entries = new CopyOnWriteArrayList<>();

        void add(String entry) {
            entries.add(entry);
        }

        List<String> all() {
            return List.copyOf(entries);
        }

        /** Entries recorded after the first {@code mark} of them. */
        List<String> since(int mark) {
            List<String> all = all();
            return all.subList(Math.min(mark, all.size()), all.size());
        }

        int mark() {
            return entries.size();
        }
    }

    /**
     * Knobs a test turns on one child, shared by all its incarnations (the supplier hands the same
     * knobs to every fresh behavior).
     */
    static final class Knobs {
        /** init() calls so far, successful or not. */
        final AtomicInteger initAttempts = new AtomicInteger();
        /** The next this many init() calls throw. */
        final AtomicInteger initFailures = new AtomicInteger();
        /** When set, init() of the next incarnation waits for {@link #initGate} (ignoring interrupts). */
        volatile CountDownLatch initGate;
        /** Counted down when an init() starts waiting at {@link #initGate}. */
        final CountDownLatch initWaiting = new CountDownLatch(1);
        /** When true, terminate() blocks, ignoring interrupts, until {@link #release}. */
        volatile boolean stubbornTerminate;
        /** Counted down when a stubborn terminate() or the BLOCK handler starts blocking. */
        final CountDownLatch blocking = new CountDownLatch(1);
        /** When true, init() declines to start ({@link io.rusm.StartIgnored}, OTP's ignore). */
        volatile boolean ignoreStart;
        /** A failing init() takes this long before it throws (a slow failing start, as OTP's supervisor_deadlock). */
        volatile long initFailMillis;
        /** Opens everything that blocks (the test's cleanup always opens it). */
        final CountDownLatch release = new CountDownLatch(1);

        void releaseAll() {
            release.countDown();
            CountDownLatch g = initGate;
            if (g != null) g.countDown();
        }
    }

    /**
     * A counter with a lifecycle journal. {@code inc} returns the new count, {@code get} the count;
     * {@code crash} throws, {@code stop-normal}/{@code stop-shutdown} end it with that reason,
     * {@code block} blocks the handler ignoring interrupts until released.
     */
    static final class Counter implements Behavior {
        private final String name;
        private final Journal journal;
        private final Knobs knobs;
        private long count;

        Counter(String name, Journal journal, Knobs knobs) {
            this.name = name;
            this.journal = journal;
            this.knobs = knobs;
        }

        @Override
        public void init() {
            knobs.initAttempts.incrementAndGet();
            CountDownLatch gate = knobs.initGate;
            if (gate != null) {
                knobs.initWaiting.countDown();
                awaitIgnoringInterrupts(gate);
            }
            if (knobs.ignoreStart) {
                journal.add("init-ignored:" + name);
                throw new io.rusm.StartIgnored(name + " declines to start");
            }
            if (knobs.initFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                long slow = knobs.initFailMillis;
                if (slow > 0) java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(slow));
                journal.add("init-failed:" + name);
                throw new Boom("init of " + name + " failed");
            }
            journal.add("init:" + name);
        }

        @Override
        public Object handle(Object message) {
            return switch (message) {
                case String s when s.equals(INC) -> ++count;
                case String s when s.equals(GET) -> count;
                case String s when s.equals(CRASH) -> throw new Boom(name + " crashed on purpose");
                case String s when s.equals(STOP_NORMAL) -> {
                    ProcessContext.stopSelf(ExitReason.NORMAL);
                    yield "bye";
                }
                case String s when s.equals(STOP_SHUTDOWN) -> {
                    ProcessContext.stopSelf(ExitReason.SHUTDOWN);
                    yield "bye";
                }
                case String s when s.equals(BLOCK) -> {
                    knobs.blocking.countDown();
                    awaitIgnoringInterrupts(knobs.release);
                    yield "unblocked";
                }
                default -> throw new Boom(name + " got an unknown message " + message);
            };
        }

        @Override
        public void terminate() {
            journal.add("terminate:" + name);
            if (knobs.stubbornTerminate) {
                knobs.blocking.countDown();
                awaitIgnoringInterrupts(knobs.release);
            }
        }
    }

    /** Waits for {@code latch}, swallowing interrupts (a process that ignores its kill), for at most a minute. */
    static void awaitIgnoringInterrupts(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                latch.await(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Awaitility, bounded by {@link #WAIT}, checking at once and then every few milliseconds. */
    static ConditionFactory eventually() {
        return Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    static void awaitLatch(CountDownLatch latch, String what) {
        try {
            assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- snapshots and processes ----------------------------------------------------------------

    /** The child {@code name} anywhere in the tree under {@code root}. */
    static ChildSnapshot find(ChildSnapshot root, String name) {
        return findOpt(root, name).orElseThrow(() -> new AssertionError("no child '" + name + "' in " + root));
    }

    private static Optional<ChildSnapshot> findOpt(ChildSnapshot node, String name) {
        if (node.name().equals(name)) return Optional.of(node);
        if (node instanceof ChildSnapshot.Supervisor s) {
            for (ChildSnapshot c : s.children()) {
                Optional<ChildSnapshot> f = findOpt(c, name);
                if (f.isPresent()) return f;
            }
        }
        return Optional.empty();
    }

    static ChildSnapshot child(Supervisor sup, String name) {
        return find(sup.snapshot(), name);
    }

    /** The current incarnation of {@code name}, which must be running. */
    static Pid pid(Node node, String name) {
        return node.whereis(name).orElseThrow(() -> new AssertionError("'" + name + "' is not running"));
    }

    /** Waits until {@code name} runs as an incarnation other than {@code old}, and returns it. */
    static Pid awaitNewIncarnation(Node node, String name, Pid old) {
        eventually().until(() -> node.whereis(name).filter(p -> !p.equals(old)).isPresent());
        return pid(node, name);
    }

    /**
     * Waits until the supervisor {@code supervisorName} has handled everything already in its
     * mailbox: an unknown request goes through the mailbox behind it and is answered (with null).
     */
    static void flush(Node node, String supervisorName) {
        Pid sup = pid(node, supervisorName);
        node.call(sup, new Flush(), WAIT);
    }

    /** A message no supervisor understands: it is ignored, and a call with it is answered with null. */
    record Flush() {}

    static long count(Node node, String name) {
        Object v = node.call(name, GET, WAIT);
        return (Long) v;
    }

    static void bump(Node node, String name, int times) {
        for (int i = 0; i < times; i++) node.call(name, INC, WAIT);
    }

    static WorkerSpec worker(String name, Journal journal) {
        return worker(name, journal, new Knobs());
    }

    static WorkerSpec worker(String name, Journal journal, Knobs knobs) {
        return WorkerSpec.of(name, () -> new Counter(name, journal, knobs));
    }

    // ---- listener ------------------------------------------------------------------------------

    /** Supervision and exit events in the order they happened. */
    static final class SupervisionEvents implements ProcessListener {
        record Restarted(String supervisor, Pid pid) {}

        record Escalated(String supervisor, Pid supervisorPid) {}

        record Exited(Pid pid, ExitReason reason) {}

        final List<Object> all = new CopyOnWriteArrayList<>();
        final ConcurrentHashMap<Pid, ExitReason> exits = new ConcurrentHashMap<>();

        @Override
        public void restarted(String supervisor, Pid pid) {
            all.add(new Restarted(supervisor, pid));
        }

        @Override
        public void escalated(String supervisor, Pid supervisorPid) {
            all.add(new Escalated(supervisor, supervisorPid));
        }

        @Override
        public void exited(Pid pid, ExitReason reason) {
            exits.put(pid, reason);
            all.add(new Exited(pid, reason));
        }

        <T> List<T> of(Class<T> type) {
            List<T> out = new ArrayList<>();
            for (Object o : all) if (type.isInstance(o)) out.add(type.cast(o));
            return out;
        }

        ExitReason awaitExit(Pid pid) {
            eventually().until(() -> exits.containsKey(pid));
            return exits.get(pid);
        }

        /** The pids (by name) whose exits were seen, in order, among {@code names}. */
        List<String> exitOrder(List<String> names) {
            List<String> out = new ArrayList<>();
            for (Exited e : of(Exited.class)) if (names.contains(e.pid().name())) out.add(e.pid().name());
            return out;
        }
    }

    static void assertCrashedWith(ExitReason reason, Class<? extends Throwable> cause) {
        if (!(reason instanceof ExitReason.Crashed c)) {
            fail("expected a crash but was " + reason);
            return;
        }
        assertThat(c.cause()).isInstanceOf(cause);
    }
}
