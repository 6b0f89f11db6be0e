package io.rusm.supervision;

import io.rusm.ChildSnapshot;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.RestartType;
import io.rusm.Strategy;
import io.rusm.Supervisor;
import io.rusm.SupervisorChildException;
import io.rusm.SupervisorChildException.Problem;
import io.rusm.SupervisorSpec;
import io.rusm.supervision.SupervisionFixtures.Boom;
import io.rusm.supervision.SupervisionFixtures.Knobs;
import io.rusm.internal.supervisor.SupervisorBehavior;
import io.rusm.supervision.SupervisionFixtures.SupervisionEvents.Restarted;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static io.rusm.supervision.SupervisionFixtures.LONG_PERIOD;
import static io.rusm.supervision.SupervisionFixtures.WAIT;
import static io.rusm.supervision.SupervisionFixtures.eventually;
import static io.rusm.supervision.SupervisionFixtures.assertCrashedWith;
import static io.rusm.supervision.SupervisionFixtures.awaitNewIncarnation;
import static io.rusm.supervision.SupervisionFixtures.bump;
import static io.rusm.supervision.SupervisionFixtures.child;
import static io.rusm.supervision.SupervisionFixtures.count;
import static io.rusm.supervision.SupervisionFixtures.flush;
import static io.rusm.supervision.SupervisionFixtures.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link Supervisor#restartChild} (OTP's {@code child_adm}: restart a child by hand) and what
 * {@link Supervisor#snapshot()} reports for a tree.
 */
class SupervisorRestartChildTest extends SupervisionTestBase {

    private Supervisor abc(Strategy strategy) {
        return start(SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(1, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("b"), worker("c"))));
    }

    @Test
    void terminateThenRestartChildGivesAFreshIncarnationAndLeavesSiblingsAlone() {
        // Even under one-for-all, a manual restart is of the one child asked for.
        Supervisor sup = abc(Strategy.ONE_FOR_ALL);
        Pid a = pid(node, "a"), b = pid(node, "b"), c = pid(node, "c");
        bump(node, "a", 1);
        bump(node, "b", 2);
        bump(node, "c", 3);
        int mark = journal.mark();

        sup.terminateChild("b");
        sup.restartChild("b");

        Pid b1 = pid(node, "b");
        assertThat(b1.incarnation()).isEqualTo(b.incarnation() + 1);
        assertThat(count(node, "b")).isZero();
        assertThat(journal.since(mark)).containsExactly("terminate:b", "init:b");
        assertThat(events.awaitExit(b)).as("stopped gracefully").isEqualTo(ExitReason.SHUTDOWN);
        ChildSnapshot snap = child(sup, "b");
        assertThat(snap.pid()).isEqualTo(b1);
        assertThat(snap.status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(snap.restarts()).isEqualTo(1);
        assertThat(snap.lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.of(Restarted.class)).containsExactly(new Restarted("sup", b1));

        assertThat(pid(node, "a")).isEqualTo(a);
        assertThat(pid(node, "c")).isEqualTo(c);
        assertThat(count(node, "a")).isEqualTo(1);
        assertThat(count(node, "c")).isEqualTo(3);
        assertThat(child(sup, "a").restarts()).isZero();
        assertThat(child(sup, "c").restarts()).isZero();
    }

    /** OTP deletes a temporary child that ended, so there is nothing left to restart. */
    @Test
    void restartChildOfATemporaryChildThatEndedIsNotFound() {
        Supervisor sup = start(SupervisorSpec.of("sup").withChildren(List.of(worker("t").withRestart(RestartType.TEMPORARY))));
        node.kill(pid(node, "t"));
        eventually().until(() -> sup.snapshot().children().isEmpty());

        Throwable t = catchThrowable(() -> sup.restartChild("t"));

        assertThat(t).isInstanceOfSatisfying(SupervisorChildException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_FOUND));
        assertThat(sup.isAlive()).isTrue();
    }

    @Test
    void restartChildOfANestedSupervisorRestartsItsWholeSubtree() {
        SupervisorSpec inner = SupervisorSpec.of("inner").withChildren(List.of(worker("x"), worker("y")));
        Supervisor root = start(SupervisorSpec.of("root").withChildren(List.of(worker("a"), inner)));
        Pid inner0 = pid(node, "inner");
        bump(node, "x", 2);
        int mark = journal.mark();

        root.terminateChild("inner");
        root.restartChild("inner");

        assertThat(journal.since(mark)).containsExactly("terminate:y", "terminate:x", "init:x", "init:y");
        assertThat(pid(node, "inner").incarnation()).isEqualTo(inner0.incarnation() + 1);
        assertThat(count(node, "x")).isZero();
        assertThat(child(root, "inner").restarts()).isEqualTo(1);
        assertThat(((ChildSnapshot.Supervisor) child(root, "inner")).children())
                .extracting(ChildSnapshot::pid).containsExactly(pid(node, "x"), pid(node, "y"));
    }

    @Test
    void restartChildOfAnUnknownChildFailsForTheCallerOnly() {
        Supervisor sup = abc(Strategy.ONE_FOR_ONE);
        Pid a = pid(node, "a"), b = pid(node, "b"), c = pid(node, "c");
        bump(node, "b", 2);

        Throwable t = catchThrowable(() -> sup.restartChild("nope"));

        assertThat(t).isInstanceOfSatisfying(SupervisorChildException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_FOUND))
                .hasMessageContaining("nope");
        assertThat(sup.isAlive()).as("the supervisor survives a bad request").isTrue();
        flush(node, "sup");
        assertThat(pid(node, "a")).isEqualTo(a);
        assertThat(pid(node, "b")).isEqualTo(b);
        assertThat(pid(node, "c")).isEqualTo(c);
        assertThat(count(node, "b")).isEqualTo(2);
        assertThat(abnormalExits).isEmpty();
    }

    /**
     * A manual restart whose new incarnation cannot start (OTP's
     * {@code sup_start_restart_child_returns_error}): the caller gets the error, the child is left
     * not running and is not retried, the supervisor stays up; once init works again a manual
     * restart brings it back.
     */
    @Test
    void restartChildWhoseInitFailsAnswersTheErrorAndLeavesTheChildStopped() {
        Knobs bKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withIntensity(3, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("b", bKnobs), worker("c"))));
        Pid a = pid(node, "a"), b = pid(node, "b"), c = pid(node, "c");
        sup.terminateChild("b");
        bKnobs.initFailures.set(1);
        int attempts = bKnobs.initAttempts.get();

        Throwable t = catchThrowable(() -> sup.restartChild("b"));

        assertThat(t).isInstanceOfSatisfying(SupervisorChildException.class, e -> assertThat(e.problem()).isEqualTo(Problem.START_FAILED));
        flush(node, "sup");
        assertThat(bKnobs.initAttempts.get() - attempts).as("no automatic retry").isEqualTo(1);
        assertThat(child(sup, "b").status()).isEqualTo(ChildStatus.STOPPED);
        assertThat(node.whereis("b")).isEmpty();
        assertThat(sup.isAlive()).isTrue();

        Pid b1 = sup.restartChild("b").orElseThrow();
        assertThat(b1.incarnation()).isGreaterThan(b.incarnation());
        assertThat(child(sup, "b").pid()).isEqualTo(b1);
        assertThat(pid(node, "a")).isEqualTo(a);
        assertThat(pid(node, "c")).isEqualTo(c);
        assertThat(abnormalExits).isEmpty();
    }

    @Test
    void failedManualRestartsNeverCountTowardIntensity() {
        Knobs bKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withIntensity(0, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("b", bKnobs))));
        sup.terminateChild("b");
        bKnobs.initFailures.set(Integer.MAX_VALUE);

        for (int i = 0; i < 5; i++) {
            assertThat(catchThrowable(() -> sup.restartChild("b"))).isInstanceOf(SupervisorChildException.class);
        }

        flush(node, "sup");
        assertThat(sup.isAlive()).isTrue();
        assertThat(events.of(SupervisionFixtures.SupervisionEvents.Escalated.class)).isEmpty();
    }

    /**
     * Two restarts of a running child (the actuator's restart) queued behind each other: the first
     * fails to start and leaves the child stopped without scheduling a retry, the second starts it;
     * nothing restarts it again behind the caller's back.
     */
    @Test
    void retryIsDroppedWhenTheChildWasStartedInTheMeantime() {
        Knobs gKnobs = knobs(), bKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withIntensity(5, LONG_PERIOD)
                .withChildren(List.of(worker("g", gKnobs), worker("b", bKnobs))));
        Pid b0 = pid(node, "b");

        // Hold the supervisor in a restart of g (its new init waits at a gate) so that both manual
        // restart requests are queued, in order, before it handles either.
        CountDownLatch gate = new CountDownLatch(1);
        gKnobs.initGate = gate;
        node.kill(pid(node, "g"));
        SupervisionFixtures.awaitLatch(gKnobs.initWaiting, "g's restart under way");
        bKnobs.initFailures.set(1);
        CompletableFuture<Object> first = node.callAsync("sup", new SupervisorBehavior.RestartChild("b"), WAIT);
        CompletableFuture<Object> second = node.callAsync("sup", new SupervisorBehavior.RestartChild("b"), WAIT);
        gKnobs.initGate = null;
        gate.countDown();

        assertThat(first).failsWithin(WAIT);
        assertThat(second).succeedsWithin(WAIT);
        flush(node, "sup"); // the retry the first failure scheduled has been handled by now

        Pid b = pid(node, "b");
        assertThat(b.incarnation()).as("one failed start, one good one, and no more").isEqualTo(b0.incarnation() + 2);
        assertThat(child(sup, "b").pid()).isEqualTo(b);
        assertThat(child(sup, "b").restarts()).isEqualTo(1);
        assertThat(bKnobs.initAttempts.get()).isEqualTo(3);
    }

    @Test
    void snapshotDescribesTheTree() {
        SupervisorSpec inner = SupervisorSpec.of("inner").withStrategy(Strategy.REST_FOR_ONE)
                .withIntensity(2, Duration.ofSeconds(7)).withRestart(RestartType.TRANSIENT)
                .withChildren(List.of(worker("x").withRestart(RestartType.TEMPORARY)));
        Supervisor root = start(SupervisorSpec.of("root").withStrategy(Strategy.ONE_FOR_ALL).withIntensity(4, Duration.ofSeconds(9))
                .withChildren(List.of(worker("a"), inner)));

        ChildSnapshot.Supervisor snap = root.snapshot();
        assertThat(snap.name()).isEqualTo("root");
        assertThat(snap.status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(snap.pid()).isEqualTo(root.pid()).isEqualTo(pid(node, "root"));
        assertThat(snap.strategy()).isEqualTo(Strategy.ONE_FOR_ALL);
        assertThat(snap.intensity()).isEqualTo(4);
        assertThat(snap.period()).isEqualTo(Duration.ofSeconds(9));
        assertThat(snap.lastExitReason()).isNull();
        assertThat(snap.children()).extracting(ChildSnapshot::name).containsExactly("a", "inner");

        ChildSnapshot.Worker a = (ChildSnapshot.Worker) snap.children().get(0);
        assertThat(a.pid()).isEqualTo(pid(node, "a"));
        assertThat(a.status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(a.restart()).isEqualTo(RestartType.PERMANENT);
        assertThat(a.restarts()).isZero();
        assertThat(a.lastExitReason()).isNull();

        ChildSnapshot.Supervisor in = (ChildSnapshot.Supervisor) snap.children().get(1);
        assertThat(in.pid()).isEqualTo(pid(node, "inner"));
        assertThat(in.strategy()).isEqualTo(Strategy.REST_FOR_ONE);
        assertThat(in.intensity()).isEqualTo(2);
        assertThat(in.period()).isEqualTo(Duration.ofSeconds(7));
        ChildSnapshot.Worker x = (ChildSnapshot.Worker) in.children().getFirst();
        assertThat(x.restart()).isEqualTo(RestartType.TEMPORARY);
        assertThat(x.pid()).isEqualTo(pid(node, "x"));

        // A crash shows up in the view: restarts, the reason, the new pid.
        Pid a0 = a.pid();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.call(a0, SupervisionFixtures.CRASH, WAIT));
        awaitNewIncarnation(node, "a", a0);
        eventually().until(() -> child(root, "inner").status() == ChildStatus.RUNNING
                && child(root, "a").status() == ChildStatus.RUNNING);
        flush(node, "root");
        ChildSnapshot a1 = child(root, "a");
        assertThat(a1.restarts()).isEqualTo(1);
        assertCrashedWith(a1.lastExitReason(), Boom.class);
        assertThat(a1.pid()).isEqualTo(pid(node, "a"));
        // one-for-all: inner was restarted too, and its temporary child came back with the fresh inner
        assertThat(child(root, "inner").restarts()).isEqualTo(1);
        assertThat(child(root, "x").pid()).isEqualTo(pid(node, "x"));
    }
}
