package io.rusm.supervision;

import io.rusm.ChildSnapshot;
import io.rusm.ChildStatus;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.Strategy;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.supervision.SupervisionFixtures.Boom;
import io.rusm.supervision.SupervisionFixtures.Knobs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.rusm.supervision.SupervisionFixtures.CRASH;
import static io.rusm.supervision.SupervisionFixtures.GET;
import static io.rusm.supervision.SupervisionFixtures.INC;
import static io.rusm.supervision.SupervisionFixtures.LONG_PERIOD;
import static io.rusm.supervision.SupervisionFixtures.WAIT;
import static io.rusm.supervision.SupervisionFixtures.eventually;
import static io.rusm.supervision.SupervisionFixtures.assertCrashedWith;
import static io.rusm.supervision.SupervisionFixtures.awaitLatch;
import static io.rusm.supervision.SupervisionFixtures.awaitNewIncarnation;
import static io.rusm.supervision.SupervisionFixtures.bump;
import static io.rusm.supervision.SupervisionFixtures.child;
import static io.rusm.supervision.SupervisionFixtures.count;
import static io.rusm.supervision.SupervisionFixtures.flush;
import static io.rusm.supervision.SupervisionFixtures.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Calls made while a supervised child is being restarted fail at once with
 * {@link NoProcessException} (between incarnations) or {@link ProcessCrashedException} (caught by
 * the crash), or are answered by the new incarnation; none waits for its timeout.
 */
class SupervisorCallsDuringRestartTest extends SupervisionTestBase {

    /** The call timeout: far above anything a call should take here, so a timeout means a hang. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** Slack on top of the timeout for a call's own bookkeeping. */
    private static final Duration SLACK = Duration.ofSeconds(1);

    enum How { CRASH, KILL }

    @ParameterizedTest(name = "{0}")
    @EnumSource(How.class)
    void concurrentCallersNeverHangWhileTheChildIsRestartedRepeatedly(How how) throws Exception {
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(Strategy.ONE_FOR_ALL).withIntensity(1_000, LONG_PERIOD)
                .withChildren(List.of(worker("w"), worker("sibling"))));
        int callers = 8;
        int rounds = 40;
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ok = new AtomicLong(), noProc = new AtomicLong(), crashed = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) {
                String target = i % 4 == 0 ? "sibling" : "w";
                CompletableFuture<Void> f = new CompletableFuture<>();
                done.add(f);
                // Platform threads: the OS time-slices them, so callers that keep failing fast can
                // never starve the (few) carriers the process fibers run on.
                Thread.ofPlatform().daemon().name("caller-" + i).start(() -> {
                    try {
                        while (running.get()) {
                            long t0 = System.nanoTime();
                            try {
                                Object v = node.call(target, INC, CALL_TIMEOUT);
                                if (!(v instanceof Long n) || n < 1) problems.add("odd reply " + v);
                                ok.incrementAndGet();
                            } catch (NoProcessException e) {
                                noProc.incrementAndGet();
                                Thread.yield(); // between incarnations: give the supervisor the CPU
                            } catch (ProcessCrashedException e) {
                                crashed.incrementAndGet();
                            } catch (Throwable t) {
                                problems.add(t.toString());
                            }
                            long took = System.nanoTime() - t0;
                            if (took > CALL_TIMEOUT.plus(SLACK).toNanos()) problems.add("a call took " + Duration.ofNanos(took));
                        }
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            }

            Pid current = pid(node, "w");
            for (int round = 0; round < rounds; round++) {
                Pid victim = current;
                switch (how) {
                    case CRASH -> node.send(victim, CRASH);
                    case KILL -> node.kill(victim);
                }
                current = awaitNewIncarnation(node, "w", victim);
                // Let the callers reach the new incarnation before the next round.
                long okBefore = ok.get();
                eventually().until(() -> ok.get() > okBefore);
            }
        } finally {
            running.set(false);
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(CALL_TIMEOUT.plus(SLACK).plus(WAIT).toMillis(), TimeUnit.MILLISECONDS);

        assertThat(problems).as("calls that neither succeeded nor failed fast with noproc/crashed").isEmpty();
        assertThat(ok.get()).isPositive();
        assertThat(sup.isAlive()).isTrue();
        flush(node, "sup");
        assertThat(child(sup, "w").restarts()).isEqualTo(rounds);
        assertThat(child(sup, "sibling").restarts()).as("one-for-all restarts the sibling too").isEqualTo(rounds);
    }

    /**
     * While the new incarnation's init runs, the child shows as {@code RESTARTING} with no pid; a call
     * made then fails with {@link NoProcessException} or is answered by the new incarnation, with
     * fresh state.
     */
    @Test
    void callMadeWhileTheNewIncarnationInitsFailsFastOrReachesIt() throws Exception {
        Knobs wKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withIntensity(5, LONG_PERIOD).withChildren(List.of(worker("w", wKnobs))));
        Pid w0 = pid(node, "w");
        bump(node, "w", 7);
        CountDownLatch gate = new CountDownLatch(1);
        wKnobs.initGate = gate;

        assertThatThrownBy(() -> node.call(w0, CRASH, WAIT)).isInstanceOf(ProcessCrashedException.class);
        awaitLatch(wKnobs.initWaiting, "new incarnation in init");

        ChildSnapshot during = child(sup, "w");
        assertThat(during.status()).isEqualTo(ChildStatus.RESTARTING);
        assertThat(during.pid()).isNull();
        assertThat(during.restarts()).isZero();
        assertCrashedWith(during.lastExitReason(), Boom.class);
        assertThatThrownBy(() -> node.call(w0, GET, WAIT)).as("the old incarnation is gone").isInstanceOf(NoProcessException.class);

        CompletableFuture<Object> byName = node.callAsync("w", GET, CALL_TIMEOUT);
        gate.countDown();

        Object outcome;
        try {
            outcome = byName.get(CALL_TIMEOUT.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            outcome = e.getCause();
        }
        if (outcome instanceof Throwable t) {
            assertThat(t).isInstanceOf(NoProcessException.class);
        } else {
            assertThat(outcome).as("answered by the new incarnation, fresh").isEqualTo(0L);
        }

        eventually().until(() -> child(sup, "w").status() == ChildStatus.RUNNING);
        Pid w1 = pid(node, "w");
        assertThat(w1.incarnation()).isEqualTo(w0.incarnation() + 1);
        assertThat(child(sup, "w").pid()).isEqualTo(w1);
        assertThat(child(sup, "w").restarts()).isEqualTo(1);
        assertThat(count(node, "w")).isZero();
    }

    /** A call queued behind the crashing message is failed with the crash at once, not left to time out. */
    @Test
    void callsQueuedBehindACrashFailAtOnce() {
        Knobs wKnobs = knobs();
        start(SupervisorSpec.of("sup").withIntensity(5, LONG_PERIOD).withChildren(List.of(worker("w", wKnobs))));
        Pid w0 = pid(node, "w");
        node.send(w0, SupervisionFixtures.BLOCK);
        awaitLatch(wKnobs.blocking, "handler blocking");
        node.send(w0, CRASH);
        List<CompletableFuture<Object>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) queued.add(node.callAsync("w", INC, CALL_TIMEOUT));

        wKnobs.release.countDown();

        for (CompletableFuture<Object> f : queued) {
            assertThat(f).failsWithin(CALL_TIMEOUT.plus(SLACK)).withThrowableThat().havingCause()
                    .isInstanceOfSatisfying(ProcessCrashedException.class, e -> assertThat(e.pid()).isEqualTo(w0));
        }
        Pid w1 = awaitNewIncarnation(node, "w", w0);
        assertThat((Object) node.call(w1, INC, WAIT)).as("queued messages are not replayed").isEqualTo(1L);
    }
}
