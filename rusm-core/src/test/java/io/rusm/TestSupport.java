package io.rusm;

import io.rusm.event.CallOutcome;
import io.rusm.event.ProcessListener;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Behaviors and helpers shared by the process runtime tests.
 *
 * <p>Every wait here is bounded. "At once" means well under {@link #AT_ONCE}, which is itself far
 * below the {@link #LONG_TIMEOUT} the calls use, so a failure that only arrives at the timeout is
 * told apart from one that arrives at once without asserting anything about speed.
 */
final class TestSupport {
    private TestSupport() {}

    /** Upper bound for something that must happen "at once" (not at a timeout). */
    static final Duration AT_ONCE = Duration.ofSeconds(2);
    /** Call timeout for calls that must end for another reason than their timeout. */
    static final Duration LONG_TIMEOUT = Duration.ofSeconds(10);
    /** Upper bound for any other wait in a test. */
    static final Duration WAIT = Duration.ofSeconds(10);

    static final String BLOCK = "block";
    static final String BLOCK_THEN_CRASH = "block-then-crash";
    static final String CRASH = "crash";
    static final String QUIT = "quit";

    /** An undeclared failure: crashes the process that throws it. */
    static final class Boom extends RuntimeException {
        Boom(String message) {
            super(message);
        }
    }

    // ---- timing and background helpers ---------------------------------------------------------

    /** Runs {@code action}, asserts it threw within {@link #AT_ONCE}, and returns what it threw. */
    static Throwable failsAtOnce(ThrowingCallable action) {
        long t0 = System.nanoTime();
        Throwable thrown = catchThrowable(action);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(thrown).as("expected a failure").isNotNull();
        assertThat(took).as("the failure must arrive at once, not at a timeout").isLessThan(AT_ONCE);
        return thrown;
    }

    /**
     * Runs {@code action} on a new platform thread (so a spinning process fiber can never starve it
     * of a carrier); the future completes with its result or its failure.
     */
    static CompletableFuture<Object> inBackground(Callable<?> action) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("test-caller").start(() -> {
            try {
                f.complete(action.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** The failure {@code f} ends with, which must arrive within {@code within}. */
    static Throwable failureOf(CompletableFuture<?> f, Duration within) {
        try {
            Object v = f.get(within.toNanos(), TimeUnit.NANOSECONDS);
            throw new AssertionError("expected a failure but got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no outcome within " + within);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The value {@code f} completes with, which must arrive within {@link #WAIT}. */
    static Object valueOf(CompletableFuture<?> f) {
        try {
            return f.get(WAIT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected a value but the call failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no outcome within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void awaitLatch(CountDownLatch latch, String what) {
        try {
            assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts {@code t} is a {@link ProcessCrashedException} for {@code pid} with {@code reason}. */
    static ProcessCrashedException assertCrashed(Throwable t, Pid pid, ExitReason reason) {
        assertThat(t).isInstanceOf(ProcessCrashedException.class);
        ProcessCrashedException e = (ProcessCrashedException) t;
        assertThat(e.pid()).isEqualTo(pid);
        assertThat(e.reason()).isEqualTo(reason);
        return e;
    }

    // ---- behaviors ---------------------------------------------------------------------------

    /**
     * Collects every message it gets ({@link Down}, {@link Exit}, sends, call requests) into a queue;
     * a call's reply is the request itself.
     */
    static final class Recorder implements Behavior {
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        private volatile Pid self;

        @Override
        public void init() {
            self = ProcessContext.self();
        }

        @Override
        public Object handle(Object message) {
            inbox.add(message);
            return message;
        }

        Pid self() {
            return self;
        }

        /** The next message, which must arrive within {@link #WAIT}. */
        Object next() {
            try {
                Object m = inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (m == null) fail("nothing received within " + WAIT);
                return m;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** The next message, which must be of {@code type}. */
        <T> T next(Class<T> type) {
            Object m = next();
            assertThat(m).as("next message").isInstanceOf(type);
            return type.cast(m);
        }

        /**
         * Everything that reached this process's mailbox before now: a marker is sent through the
         * mailbox and what arrives ahead of it is returned. No waiting for messages that never come.
         */
        List<Object> receivedSoFar(Node node) {
            Object marker = new Marker();
            node.send(self, marker);
            List<Object> before = new ArrayList<>();
            for (Object m; (m = next()) != marker; ) before.add(m);
            return before;
        }

        private static final class Marker {}
    }

    /**
     * A process body for failure scenarios. {@link #BLOCK} blocks the handler until {@link #open()};
     * {@link #BLOCK_THEN_CRASH} blocks, then crashes; {@link #CRASH} crashes at once; {@link #QUIT}
     * stops the process normally; anything else is echoed as {@code "re:" + message}. Every handled
     * message is recorded, and {@code terminate()} records {@code "terminate"}.
     */
    static final class Gate implements Behavior {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        final List<Object> handled = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final boolean ignoresInterrupts;

        Gate(boolean ignoresInterrupts) {
            this.ignoresInterrupts = ignoresInterrupts;
        }

        @Override
        public Object handle(Object message) throws Exception {
            handled.add(message);
            switch (message) {
                case String s when s.equals(BLOCK) -> {
                    entered.countDown();
                    awaitOpen();
                    return "released";
                }
                case String s when s.equals(BLOCK_THEN_CRASH) -> {
                    entered.countDown();
                    awaitOpen();
                    throw crash("crash after block");
                }
                case String s when s.equals(CRASH) -> throw crash("crash");
                case String s when s.equals(QUIT) -> {
                    ProcessContext.stopSelf(ExitReason.NORMAL);
                    return "bye";
                }
                default -> {
                    return "re:" + message;
                }
            }
        }

        private Boom crash(String why) {
            Boom b = new Boom(why);
            thrown.set(b);
            return b;
        }

        private void awaitOpen() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        released.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        return;
                    } catch (InterruptedException e) {
                        if (!ignoresInterrupts) throw e;
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        @Override
        public void terminate() {
            handled.add("terminate");
        }

        void awaitEntered() {
            awaitLatch(entered, "handler entered");
        }

        void open() {
            released.countDown();
        }

        Throwable thrown() {
            return thrown.get();
        }
    }

    /**
     * A handler that ignores interruption: on {@code "spin"} it loops on the CPU until the test
     * flips {@link #spinning}. It yields each turn (which does not look at the interrupt flag) so
     * that a one-carrier scheduler still runs everything else.
     */
    static final class Spinner implements Behavior {
        volatile boolean spinning = true;
        final AtomicLong turns = new AtomicLong();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch left = new CountDownLatch(1);
        final AtomicReference<ExitReason> terminated = new AtomicReference<>();

        @Override
        public Object handle(Object message) {
            if (!"spin".equals(message)) return message;
            entered.countDown();
            try {
                while (spinning) {
                    turns.incrementAndGet();
                    Thread.yield();
                }
                return "spun";
            } finally {
                left.countDown();
            }
        }

        @Override
        public void terminate() {
            terminated.set(ExitReason.SHUTDOWN);
        }
    }

    /** A checked exception that {@link Account} declares: an answer for the caller, not a crash. */
    static final class InsufficientFunds extends Exception {
        InsufficientFunds(long balance, long wanted) {
            super("balance " + balance + " < " + wanted);
        }
    }

    record Deposit(long amount) {}

    record Withdraw(long amount) {}

    record Balance() {}

    /** A stateful process whose {@code withdraw} declares {@link InsufficientFunds}. */
    static final class Account implements Behavior {
        private long balance;

        @Override
        public Object handle(Object message) throws Exception {
            return switch (message) {
                case Deposit d -> balance += d.amount();
                case Withdraw w -> {
                    if (w.amount() > balance) throw new InsufficientFunds(balance, w.amount());
                    yield balance -= w.amount();
                }
                case Balance b -> balance;
                default -> throw new Boom("unknown message " + message);
            };
        }

        @Override
        public boolean isDeclaredFailure(Object message, Throwable failure) {
            return failure instanceof InsufficientFunds;
        }
    }

    // ---- listener ------------------------------------------------------------------------------

    record CallEvent(String target, Object message, long nanos, CallOutcome outcome) {}

    record Dropped(String target, Object message, String reason) {}

    /** Records every listener event, with per-pid counts for the exactly-once checks. */
    static final class EventLog implements ProcessListener {
        final ConcurrentHashMap<Pid, AtomicInteger> startedCount = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Pid, AtomicInteger> exitedCount = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Pid, ExitReason> exits = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<CallEvent> calls = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Dropped> dropped = new ConcurrentLinkedQueue<>();

        @Override
        public void started(Pid pid) {
            startedCount.computeIfAbsent(pid, p -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void exited(Pid pid, ExitReason reason) {
            exits.putIfAbsent(pid, reason);
            exitedCount.computeIfAbsent(pid, p -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void callFinished(String target, Object message, long nanos, CallOutcome outcome) {
            calls.add(new CallEvent(target, message, nanos, outcome));
        }

        @Override
        public void sendDropped(String target, Object message, String reason) {
            dropped.add(new Dropped(target, message, reason));
        }

        /**
         * How {@code pid} ended, waiting for it. The listener hears of an exit after monitors and
         * links were notified, so once this returns every link signal has been acted on.
         */
        ExitReason awaitExit(Pid pid) {
            await().atMost(WAIT).until(() -> exits.containsKey(pid));
            return exits.get(pid);
        }

        int startedTimes(Pid pid) {
            AtomicInteger n = startedCount.get(pid);
            return n == null ? 0 : n.get();
        }

        int exitedTimes(Pid pid) {
            AtomicInteger n = exitedCount.get(pid);
            return n == null ? 0 : n.get();
        }

        List<CallOutcome> outcomesFor(Object message) {
            List<CallOutcome> out = new ArrayList<>();
            for (CallEvent e : calls) if (e.message().equals(message)) out.add(e.outcome());
            return out;
        }

        boolean droppedMessage(Object message) {
            return dropped.stream().anyMatch(d -> d.message().equals(message));
        }
    }
}
