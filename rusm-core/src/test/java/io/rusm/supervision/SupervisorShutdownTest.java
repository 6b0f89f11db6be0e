package io.rusm.supervision;

import io.rusm.ChildSnapshot;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.Strategy;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.supervision.SupervisionFixtures.Knobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rusm.supervision.SupervisionFixtures.BLOCK;
import static io.rusm.supervision.SupervisionFixtures.CRASH;
import static io.rusm.supervision.SupervisionFixtures.LONG_PERIOD;
import static io.rusm.supervision.SupervisionFixtures.WAIT;
import static io.rusm.supervision.SupervisionFixtures.awaitLatch;
import static io.rusm.supervision.SupervisionFixtures.awaitNewIncarnation;
import static io.rusm.supervision.SupervisionFixtures.child;
import static io.rusm.supervision.SupervisionFixtures.flush;
import static io.rusm.supervision.SupervisionFixtures.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Start and stop order, stop deadlines and node shutdown, after OTP's {@code sup_start_fail},
 * {@code sup_stop_timeout}, {@code sup_stop_brutal_kill} and {@code tree}: children start in
 * declaration order and stop in reverse; a child that ignores its shutdown deadline is killed and
 * the stop still completes.
 */
class SupervisorShutdownTest extends SupervisionTestBase {

    private SupervisorSpec tree() {
        SupervisorSpec inner = SupervisorSpec.of("inner").withChildren(List.of(worker("x"), worker("y")));
        return SupervisorSpec.of("root").withChildren(List.of(worker("a"), inner, worker("b")));
    }

    @Test
    void childrenStartInDeclarationOrderAndStopInReverse() {
        Supervisor root = start(tree());
        assertThat(journal.all()).containsExactly("init:a", "init:x", "init:y", "init:b");
        Pid rootPid = root.pid();
        int mark = journal.mark();

        assertThat(root.stop()).isEqualTo(ExitReason.SHUTDOWN);

        assertThat(journal.since(mark)).containsExactly("terminate:b", "terminate:y", "terminate:x", "terminate:a");
        events.awaitExit(rootPid);
        assertThat(events.exitOrder(List.of("a", "b", "x", "y", "inner", "root")))
                .containsExactly("b", "y", "x", "inner", "a", "root");
        assertThat(events.exits.values()).containsOnly(ExitReason.SHUTDOWN);
        assertThat(root.exitFuture()).succeedsWithin(WAIT).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(rootPid)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(node.processCount()).isZero();
        assertThat(abnormalExits).as("a graceful stop is no abnormal exit").isEmpty();

        ChildSnapshot.Supervisor snap = root.snapshot();
        assertThat(snap.status()).isEqualTo(ChildStatus.STOPPED);
        assertThat(snap.children()).extracting(ChildSnapshot::status).containsOnly(ChildStatus.STOPPED);
        assertThat(snap.children()).extracting(ChildSnapshot::pid).containsOnlyNulls();
    }

    enum Stuck { IN_TERMINATE, IN_HANDLER }

    /** OTP's {@code sup_stop_timeout}: the child is killed at its deadline, its siblings stop normally. */
    @ParameterizedTest(name = "stuck {0}")
    @EnumSource(Stuck.class)
    void childIgnoringItsShutdownDeadlineIsKilledAndTheStopCompletes(Stuck where) {
        Knobs stuckKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withChildren(List.of(
                worker("a"),
                worker("stuck", stuckKnobs).withShutdownTimeout(Duration.ofMillis(200)),
                worker("c"))));
        Pid a = pid(node, "a"), stuck = pid(node, "stuck"), c = pid(node, "c");
        switch (where) {
            case IN_TERMINATE -> stuckKnobs.stubbornTerminate = true;
            case IN_HANDLER -> {
                node.send(stuck, BLOCK);
                awaitLatch(stuckKnobs.blocking, "handler blocking");
            }
        }
        int mark = journal.mark();

        CompletableFuture<ExitReason> stop = CompletableFuture.supplyAsync(sup::stop);

        assertThat(stop).as("the stop completes though a child ignores its deadline").succeedsWithin(WAIT)
                .isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(c)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(stuck)).isEqualTo(ExitReason.KILLED);
        assertThat(events.awaitExit(a)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.exitOrder(List.of("a", "stuck", "c"))).containsExactly("c", "stuck", "a");
        assertThat(journal.since(mark)).startsWith("terminate:c").endsWith("terminate:a")
                .doesNotContain("terminate:b");
        assertThat(child(sup, "stuck").lastExitReason()).isEqualTo(ExitReason.KILLED);
        assertThat(child(sup, "c").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(node.processCount()).isZero();
    }

    /** A sibling that ignores its deadline while a one-for-all restart stops it is killed, and the restart goes on. */
    @Test
    void siblingIgnoringItsDeadlineDuringARestartIsKilledAndTheRestartProceeds() {
        Knobs stuckKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(Strategy.ONE_FOR_ALL).withIntensity(5, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("stuck", stuckKnobs).withShutdownTimeout(Duration.ofMillis(200)))));
        Pid a = pid(node, "a"), stuck = pid(node, "stuck");
        node.send(stuck, BLOCK);
        awaitLatch(stuckKnobs.blocking, "handler blocking");

        assertThatThrownBy(() -> node.call(a, CRASH, WAIT)).isInstanceOf(ProcessCrashedException.class);

        Pid stuck1 = awaitNewIncarnation(node, "stuck", stuck);
        flush(node, "sup");
        assertThat(events.awaitExit(stuck)).isEqualTo(ExitReason.KILLED);
        assertThat(stuck1.incarnation()).isEqualTo(stuck.incarnation() + 1);
        assertThat(child(sup, "a").status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(child(sup, "stuck").status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(child(sup, "stuck").lastExitReason()).isEqualTo(ExitReason.KILLED);
    }

    @Test
    void nodeShutdownStopsEveryTreeNewestFirstEachInReverseOrder() {
        Supervisor first = start(tree());
        Supervisor second = start(SupervisorSpec.of("second").withChildren(List.of(worker("c"), worker("d"))));
        assertThat(journal.all()).containsExactly("init:a", "init:x", "init:y", "init:b", "init:c", "init:d");
        int mark = journal.mark();

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> node.shutdown(Duration.ofSeconds(10)));

        assertThat(shutdown).succeedsWithin(WAIT);
        assertThat(journal.since(mark)).containsExactly(
                "terminate:d", "terminate:c", "terminate:b", "terminate:y", "terminate:x", "terminate:a");
        assertThat(node.processCount()).isZero();
        assertThat(first.exitFuture()).succeedsWithin(WAIT).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(second.exitFuture()).succeedsWithin(WAIT).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(first.isAlive()).isFalse();
        assertThat(events.exits.values()).containsOnly(ExitReason.SHUTDOWN);
        assertThat(abnormalExits).isEmpty();
    }

    @Test
    void nodeShutdownKillsAChildThatIgnoresItsDeadline() {
        Knobs stuckKnobs = knobs();
        start(SupervisorSpec.of("sup").withChildren(List.of(
                worker("a"), worker("stuck", stuckKnobs).withShutdownTimeout(Duration.ofMillis(200)))));
        stuckKnobs.stubbornTerminate = true;
        Pid stuck = pid(node, "stuck");

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> node.shutdown(Duration.ofSeconds(10)));

        assertThat(shutdown).succeedsWithin(WAIT);
        assertThat(events.awaitExit(stuck)).isEqualTo(ExitReason.KILLED);
        assertThat(node.processCount()).isZero();
    }

    /**
     * Killing the root takes the tree down: linked workers die with it, a nested supervisor (which
     * traps exits) stops its own children and follows with the same reason.
     */
    @Test
    void killingTheRootTakesTheWholeTreeDown() {
        Supervisor root = start(tree());
        Pid a = pid(node, "a"), x = pid(node, "x"), inner = pid(node, "inner");

        node.kill(root.pid());

        assertThat(root.exitFuture()).succeedsWithin(WAIT).isEqualTo(ExitReason.KILLED);
        assertThat(events.awaitExit(a)).isEqualTo(ExitReason.KILLED);
        assertThat(events.awaitExit(inner)).isEqualTo(ExitReason.KILLED);
        assertThat(events.awaitExit(x)).isEqualTo(ExitReason.SHUTDOWN);
        SupervisionFixtures.eventually().until(() -> node.processCount() == 0);
        SupervisionFixtures.eventually().until(() -> !abnormalExits.isEmpty());
        assertThat(abnormalExits).containsExactly(ExitReason.KILLED);
        assertThat(root.snapshot().status()).isEqualTo(ChildStatus.STOPPED);
    }

    /** OTP's {@code sup_start_fail}: a child that cannot start fails the start; the ones started are stopped. */
    @Test
    void supervisorWhoseChildCannotStartFailsToStartAndStopsTheOthers() {
        Knobs bKnobs = knobs();
        bKnobs.initFailures.set(1);
        SupervisorSpec spec = SupervisorSpec.of("sup").withChildren(List.of(worker("a"), worker("b", bKnobs), worker("c")));

        Throwable t = catchThrowable(() -> start(spec));

        assertThat(t).isInstanceOf(ProcessCrashedException.class);
        assertThat(t).hasMessageContaining("b");
        assertThat(journal.all()).containsExactly("init:a", "init-failed:b", "terminate:a");
        assertThat(node.processCount()).isZero();
        assertThat(node.whereis("sup")).isEmpty();
        assertThat(node.whereis("a")).isEmpty();
        assertThat(node.supervisors()).isEmpty();

        // The name is free again: a corrected start works.
        Supervisor sup = start(spec);
        assertThat(sup.isAlive()).isTrue();
        assertThat(node.whereis("c")).isPresent();
    }
}
