package io.rusm;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Timers} on a {@link ManualClock}: every tick due is in the mailbox when {@code advance}
 * returns, and a call to the process ({@link Probe#sync}) returns only after everything queued before
 * it was handled, so "never delivered" is checked exactly, without sleeping.
 */
class TimersTest extends NodeTestBase {
    private static final Duration MS_100 = Duration.ofMillis(100);

    private ManualClock clock;

    @BeforeEach
    void manualClock() {
        clock = new ManualClock();
        node.runtime().timerScheduler(clock);
    }

    /** Runs {@code action} on the process's fiber and returns its result. */
    record Do(Function<Timers, Object> action) {}

    /** Blocks the fiber until released, then runs {@code after} on it. */
    record Block(CountDownLatch entered, CountDownLatch release, Function<Timers, Object> after) {
        Block(Function<Timers, Object> after) {
            this(new CountDownLatch(1), new CountDownLatch(1), after);
        }
    }

    /** Records every other message it handles. */
    static final class Probe implements Behavior {
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        @Override
        public Object handle(Object message) throws Exception {
            return switch (message) {
                case Do d -> d.action().apply(ProcessContext.timers());
                case Block b -> {
                    b.entered().countDown();
                    b.release().await();
                    yield b.after().apply(ProcessContext.timers());
                }
                case String s when s.equals("sync") -> "synced";
                default -> {
                    seen.add(message);
                    yield null;
                }
            };
        }

        /** Everything handled so far (after a round trip through the mailbox). */
        List<Object> sync(Node node, Pid pid) {
            assertThat((Object) node.call(pid, "sync")).isEqualTo("synced");
            List<Object> out = new ArrayList<>();
            seen.drainTo(out);
            return out;
        }

        Object next() throws InterruptedException {
            Object m = seen.poll(TestSupport.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m).as("a timer message within %s", TestSupport.WAIT).isNotNull();
            return m;
        }
    }

    private Probe probe;
    private Pid pid;

    private void startProbe() {
        probe = new Probe();
        pid = node.spawn(SpawnOptions.named("probe"), probe);
    }

    /** Sends a {@link Block} and waits until the fiber is stuck in it. */
    private Block blocked(Function<Timers, Object> after) {
        Block block = new Block(after);
        node.send(pid, block);
        TestSupport.awaitLatch(block.entered(), "handler entered");
        return block;
    }

    private Object on(Function<Timers, Object> action) {
        return node.call(pid, new Do(action));
    }

    @Test
    void singleTimerFiresOnceAtItsDelayAndIsThenInactive() throws Exception {
        startProbe();
        on(t -> { t.startSingle("k", MS_100, "tick"); return null; });
        assertThat(on(t -> t.isActive("k"))).isEqualTo(true);
        clock.advance(Duration.ofMillis(99));
        assertThat(probe.sync(node, pid)).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(probe.sync(node, pid)).containsExactly("tick");
        assertThat(on(t -> t.isActive("k"))).isEqualTo(false);
        clock.advance(Duration.ofSeconds(10));
        assertThat(probe.sync(node, pid)).isEmpty();
        assertThat(clock.pending()).isZero();
    }

    @Test
    void fixedRateFiresEveryIntervalWithoutDrift() {
        startProbe();
        on(t -> { t.startFixedRate("r", MS_100, "tick"); return null; });
        for (int i = 0; i < 5; i++) {
            clock.advance(MS_100);
            assertThat(probe.sync(node, pid)).as("period %d", i).containsExactly("tick");
        }
        assertThat(clock.pending()).isOne();
        assertThat(on(t -> t.isActive("r"))).isEqualTo(true);
    }

    @Test
    void fixedRateWithAnInitialDelay() {
        startProbe();
        on(t -> { t.startFixedRate("r", Duration.ofMillis(10), MS_100, "tick"); return null; });
        clock.advance(Duration.ofMillis(10));
        assertThat(probe.sync(node, pid)).containsExactly("tick");
        clock.advance(Duration.ofMillis(99));
        assertThat(probe.sync(node, pid)).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(probe.sync(node, pid)).containsExactly("tick");
    }

    @Test
    void fixedDelayWaitsItsDelayAfterEachHandledTick() throws Exception {
        startProbe();
        on(t -> { t.startFixedDelay("d", MS_100, "tick"); return null; });
        Block block = blocked(t -> null);
        clock.advance(MS_100);
        assertThat(clock.pending()).as("nothing scheduled while the tick waits").isZero();
        clock.advance(Duration.ofSeconds(1)); // a slow handler stretches the period
        block.release().countDown();
        assertThat(probe.sync(node, pid)).containsExactly("tick");
        assertThat(clock.pending()).as("the next delay starts once the tick was handled").isOne();
        clock.advance(Duration.ofMillis(99));
        assertThat(probe.sync(node, pid)).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(probe.sync(node, pid)).containsExactly("tick");
    }

    @Test
    void startingAKeyAgainReplacesItsTimer() {
        startProbe();
        on(t -> { t.startSingle("k", MS_100, "old"); t.startSingle("k", Duration.ofMillis(200), "new"); return null; });
        assertThat(clock.pending()).as("the replaced task left the scheduler").isOne();
        clock.advance(MS_100);
        assertThat(probe.sync(node, pid)).isEmpty();
        clock.advance(MS_100);
        assertThat(probe.sync(node, pid)).containsExactly("new");
    }

    @Test
    void aTimerReplacedAfterItsTickWasQueuedNeverDeliversTheOldMessage() {
        startProbe();
        on(t -> { t.startFixedRate("k", MS_100, "old"); return null; });
        Block block = blocked(t -> { t.startSingle("k", MS_100, "new"); return null; });
        clock.advance(MS_100);
        assertThat(node.mailboxSize(pid)).as("the old tick is queued").isOne();
        block.release().countDown();
        assertThat(probe.sync(node, pid)).isEmpty();
        clock.advance(MS_100);
        assertThat(probe.sync(node, pid)).containsExactly("new");
    }

    @Test
    void aTimerCancelledAfterItsTickWasQueuedIsNeverDelivered() {
        startProbe();
        on(t -> { t.startSingle("k", MS_100, "tick"); return null; });
        Block block = blocked(t -> { t.cancel("k"); return null; });
        clock.advance(MS_100);
        assertThat(node.mailboxSize(pid)).as("the tick is queued").isOne();
        block.release().countDown();
        assertThat(probe.sync(node, pid)).isEmpty();
        assertThat(on(t -> t.isActive("k"))).isEqualTo(false);
        assertThat(clock.pending()).isZero();
    }

    @Test
    void cancelAllCancelsEveryKey() {
        startProbe();
        on(t -> { t.startSingle("a", MS_100, "a"); t.startFixedRate("b", MS_100, "b"); t.cancelAll(); return null; });
        clock.advance(Duration.ofSeconds(1));
        assertThat(probe.sync(node, pid)).isEmpty();
        assertThat(clock.pending()).isZero();
    }

    @Test
    void ticksThatFallBehindAreCoalesced() {
        startProbe();
        on(t -> { t.startFixedRate("r", MS_100, "tick"); return null; });
        Block block = blocked(t -> null);
        clock.advance(Duration.ofSeconds(1)); // ten due times while the handler is stuck
        assertThat(node.mailboxSize(pid)).as("one tick queued for ten due times").isOne();
        block.release().countDown();
        assertThat(probe.sync(node, pid)).containsExactly("tick");
        clock.advance(MS_100);
        assertThat(probe.sync(node, pid)).containsExactly("tick");
    }

    @Test
    void aKilledIncarnationsTimersAreGoneFromTheScheduler() {
        startProbe();
        on(t -> { t.startFixedRate("r", MS_100, "tick"); t.startSingle("s", Duration.ofHours(1), "late"); return null; });
        assertThat(clock.pending()).isEqualTo(2);
        node.kill(pid);
        assertThat(node.runtime().byPid(pid)).isNull();
        assertThat(clock.pending()).as("gone, not just ignored").isZero();
        clock.advance(Duration.ofHours(2));
        assertThat(probe.seen).isEmpty();
    }

    @Test
    void aStoppedIncarnationsTimersAreGone() {
        startProbe();
        on(t -> { t.startFixedRate("r", MS_100, "tick"); return null; });
        node.stop(pid, TestSupport.WAIT);
        assertThat(clock.pending()).isZero();
    }

    @Test
    void aKilledHandlerThatKeepsRunningCannotStartTimers() {
        startProbe();
        CompletableFuture<Throwable> attempt = new CompletableFuture<>();
        CountDownLatch entered = new CountDownLatch(1);
        node.send(pid, new Do(t -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await(); // the kill's interrupt ends this wait; the handler carries on regardless
            } catch (InterruptedException ignored) {
                // ignored, as stubborn code would
            }
            try {
                t.startSingle("k", MS_100, "zombie");
                attempt.complete(null);
            } catch (Throwable e) {
                attempt.complete(e);
            }
            return null;
        }));
        TestSupport.awaitLatch(entered, "handler entered");
        node.kill(pid);
        assertThat(attempt).succeedsWithin(TestSupport.WAIT).isInstanceOf(FencedException.class);
        assertThat(clock.pending()).isZero();
    }

    @Test
    void aRestartedServiceStartsWithoutTheOldTimers() {
        // A worker under a supervisor: the crash ends incarnation 1 and its timer; incarnation 2 starts clean.
        node.startSupervisor(SupervisorSpec.of("sup").withChild(WorkerSpec.of("probe", Probe::new)));
        pid = node.whereis("probe").orElseThrow();
        on(t -> { t.startFixedRate("r", MS_100, "tick"); return null; });
        node.exit(pid, ExitReason.crashed(new TestSupport.Boom("crash")));
        Pid first = pid;
        org.awaitility.Awaitility.await().atMost(TestSupport.WAIT)
                .until(() -> node.whereis("probe").filter(p -> !p.equals(first)).isPresent());
        Pid second = node.whereis("probe").orElseThrow();
        assertThat(clock.pending()).isZero();
        pid = second;
        assertThat(on(t -> t.isActive("r"))).isEqualTo(false);
        assertThat(node.runtime().byPid(second).timerKeys()).isEmpty();
    }

    @Test
    void timersRunOnTheRealSharedSchedulerToo() throws Exception {
        node.runtime().timerScheduler(io.rusm.internal.timer.SharedTimerScheduler.INSTANCE);
        startProbe();
        on(t -> { t.startSingle("s", Duration.ofMillis(5), "once"); t.startFixedRate("r", Duration.ofMillis(5), "rate"); return null; });
        List<Object> got = new ArrayList<>();
        while (!(got.contains("once") && got.stream().filter("rate"::equals).count() >= 3)) got.add(probe.next());
        on(t -> { t.cancel("r"); return null; });
    }
}
