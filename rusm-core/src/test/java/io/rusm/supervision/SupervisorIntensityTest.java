package io.rusm.supervision;

import io.rusm.ChildSnapshot;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.Strategy;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.supervision.SupervisionFixtures.Boom;
import io.rusm.supervision.SupervisionFixtures.Knobs;
import io.rusm.supervision.SupervisionFixtures.SupervisionEvents.Escalated;
import io.rusm.supervision.SupervisionFixtures.SupervisionEvents.Restarted;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.rusm.supervision.SupervisionFixtures.CRASH;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Restart intensity, after OTP's {@code one_for_one_escalation}, {@code one_for_all_escalation},
 * {@code rest_for_one_escalation}, {@code multiple_restarts}, {@code hanging_restart_loop} and
 * {@code *_other_child_fails_restart}: up to {@code intensity} restarts within {@code period} are
 * fine; one more and the supervisor stops its children (reverse start order) and exits with
 * {@code escalated}.
 */
class SupervisorIntensityTest extends SupervisionTestBase {

    private SupervisorSpec abc(Strategy strategy, int intensity, Duration period) {
        return SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(intensity, period)
                .withChildren(List.of(worker("a"), worker("b"), worker("c")));
    }

    /**
     * Crashes {@code name} from inside (a handler throws), waits for its next incarnation and for the
     * supervisor to finish the restart (siblings restarted with it included).
     */
    private Pid crashAndAwaitRestart(String name) {
        Pid old = pid(node, name);
        crash(old);
        Pid next = awaitNewIncarnation(node, name, old);
        flush(node, "sup");
        return next;
    }

    private void crash(Pid pid) {
        assertThatThrownBy(() -> node.call(pid, CRASH, WAIT)).isInstanceOf(ProcessCrashedException.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Strategy.class, mode = EnumSource.Mode.EXCLUDE, names = "SIMPLE_ONE_FOR_ONE")
    void restartsExactlyAtTheLimitDoNotEscalate(Strategy strategy) {
        Supervisor sup = start(abc(strategy, 3, LONG_PERIOD));
        Pid b = null;
        for (int i = 1; i <= 3; i++) {
            b = crashAndAwaitRestart("b");
            assertThat(b.incarnation()).isEqualTo(1 + i);
        }
        flush(node, "sup");

        assertThat(sup.isAlive()).isTrue();
        assertThat(child(sup, "b").restarts()).isEqualTo(3);
        assertThat(child(sup, "b").pid()).isEqualTo(b);
        assertThat(sup.snapshot().status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(events.of(Escalated.class)).isEmpty();
        assertThat(abnormalExits).isEmpty();
        assertThat(count(node, "b")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Strategy.class, mode = EnumSource.Mode.EXCLUDE, names = "SIMPLE_ONE_FOR_ONE")
    void onePastTheLimitEscalates(Strategy strategy) {
        Supervisor sup = start(abc(strategy, 3, LONG_PERIOD));
        Pid supPid = sup.pid();
        for (int i = 0; i < 3; i++) crashAndAwaitRestart("b");
        Pid a = pid(node, "a"), b = pid(node, "b"), c = pid(node, "c");
        int mark = journal.mark();

        crash(b);

        awaitEscalated(sup);

        // Everything was stopped, the survivors gracefully and in reverse start order.
        assertThat(journal.since(mark)).containsExactly("terminate:c", "terminate:a");
        assertThat(events.awaitExit(supPid)).as("gives up with shutdown, as OTP").isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(a)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(c)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.exitOrder(List.of("a", "c", "sup"))).endsWith("c", "a", "sup");
        assertThat(node.whereis("a")).isEmpty();
        assertThat(node.whereis("b")).isEmpty();
        assertThat(node.whereis("c")).isEmpty();
        assertThat(node.whereis("sup")).isEmpty();
        assertThat(node.processCount()).isZero();

        // The callback fired once, the listener heard of it once, naming the supervisor.
        assertThat(abnormalExits).containsExactly(ExitReason.ESCALATED);
        assertThat(events.of(Escalated.class)).containsExactly(new Escalated("sup", supPid));
        assertThat(sup.isAlive()).isFalse();

        ChildSnapshot.Supervisor snap = sup.snapshot();
        assertThat(snap.status()).isEqualTo(ChildStatus.ESCALATED);
        assertThat(snap.pid()).isNull();
        assertThat(snap.lastExitReason()).isEqualTo(ExitReason.ESCALATED);
        for (ChildSnapshot ch : snap.children()) {
            assertThat(ch.status()).as(ch.name()).isEqualTo(ChildStatus.ESCALATED);
            assertThat(ch.pid()).as(ch.name()).isNull();
        }
        assertCrashedWith(child(sup, "b").lastExitReason(), Boom.class);
        assertThat(child(sup, "b").restarts()).isEqualTo(3);
    }

    @Test
    void killsCountTowardIntensityLikeCrashes() {
        Supervisor sup = start(abc(Strategy.ONE_FOR_ONE, 1, LONG_PERIOD));
        Pid a = pid(node, "a");
        node.kill(a);
        Pid a2 = awaitNewIncarnation(node, "a", a);
        node.kill(pid(node, "c")); // a different child: the intensity is the supervisor's, not per child
        awaitEscalated(sup);
        assertThat(events.awaitExit(a2)).isEqualTo(ExitReason.SHUTDOWN);
    }

    /**
     * Restarts spread over more than {@code period} are forgotten: with an intensity of 1 in 200 ms,
     * crashes a period apart never escalate, however many there are. (The wait is for time itself
     * to pass, since the passing of time is the behaviour under test.)
     */
    @Test
    void restartsSpreadOverMoreThanThePeriodNeverEscalate() {
        Duration period = Duration.ofMillis(200);
        Supervisor sup = start(abc(Strategy.ONE_FOR_ONE, 1, period));
        for (int i = 1; i <= 4; i++) {
            crashAndAwaitRestart("b");
            // The supervisor recorded that restart before we saw its new incarnation; let a full
            // period (plus a margin) pass after that.
            long after = System.nanoTime() + period.toNanos() + TimeUnit.MILLISECONDS.toNanos(50);
            eventually().pollInterval(Duration.ofMillis(10)).until(() -> System.nanoTime() - after > 0);
        }
        crashAndAwaitRestart("b");
        flush(node, "sup");

        assertThat(sup.isAlive()).isTrue();
        assertThat(child(sup, "b").restarts()).isEqualTo(5);
        assertThat(events.of(Escalated.class)).isEmpty();
        assertThat(abnormalExits).isEmpty();
    }

    /**
     * OTP's {@code hanging_restart_loop}: a child whose init keeps failing is retried, each retry
     * counting as a restart, until the supervisor escalates instead of spinning.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Strategy.class, mode = EnumSource.Mode.EXCLUDE, names = "SIMPLE_ONE_FOR_ONE")
    void childWhoseInitKeepsFailingOnRestartEscalates(Strategy strategy) {
        Knobs bKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(3, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("b", bKnobs), worker("c"))));
        int initsBefore = bKnobs.initAttempts.get();
        bKnobs.initFailures.set(Integer.MAX_VALUE);

        crash(pid(node, "b"));

        awaitEscalated(sup);
        // The crash and two failed retries are the 3 restarts allowed; the next retry is one too many.
        assertThat(bKnobs.initAttempts.get() - initsBefore).isEqualTo(3);
        assertThat(child(sup, "b").status()).isEqualTo(ChildStatus.ESCALATED);
        assertThat(node.processCount()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Strategy.class, mode = EnumSource.Mode.EXCLUDE, names = "SIMPLE_ONE_FOR_ONE")
    void childWhoseInitFailsOnRestartIsRetriedAndRecovers(Strategy strategy) {
        Knobs bKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(3, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("b", bKnobs), worker("c"))));
        Pid b0 = pid(node, "b");
        bump(node, "b", 5);
        int initsBefore = bKnobs.initAttempts.get();
        bKnobs.initFailures.set(2);

        crash(b0);

        // (whereis may briefly show an incarnation whose init is failing: wait for the supervisor's word;
        // and the crash call fails before the supervisor has even heard of the exit, so the snapshot
        // may still show b0 as running: wait for a new incarnation, not just for RUNNING)
        eventually().until(() -> child(sup, "b").status() == ChildStatus.RUNNING
                && child(sup, "b").pid() != null && !child(sup, "b").pid().equals(b0));
        flush(node, "sup");
        Pid b1 = pid(node, "b");
        assertThat(bKnobs.initAttempts.get() - initsBefore).isEqualTo(3);
        assertThat(b1.incarnation()).isGreaterThan(b0.incarnation());
        assertThat(sup.isAlive()).isTrue();
        assertThat(child(sup, "b").pid()).isEqualTo(b1);
        assertThat(count(node, "b")).isZero();
        for (String name : List.of("a", "b", "c")) {
            assertThat(child(sup, name).status()).as(name).isEqualTo(ChildStatus.RUNNING);
            assertThat(child(sup, name).pid()).as(name).isEqualTo(pid(node, name));
        }
        // Three restarts were used up (crash + two retries): one more crash escalates.
        crash(pid(node, "a"));
        awaitEscalated(sup);
    }

    /**
     * OTP's {@code one_for_all_other_child_fails_restart} and
     * {@code rest_for_one_other_child_fails_restart}: the child that crashed restarts fine but a
     * sibling restarted with it cannot start; the retries count, and the supervisor escalates.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Strategy.class, names = {"ONE_FOR_ALL", "REST_FOR_ONE"})
    void otherChildFailsRestart(Strategy strategy) {
        Knobs bKnobs = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(3, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("b", bKnobs))));
        int initsBefore = bKnobs.initAttempts.get();
        bKnobs.initFailures.set(Integer.MAX_VALUE);

        crash(pid(node, "a"));

        awaitEscalated(sup);
        assertThat(bKnobs.initAttempts.get() - initsBefore).isEqualTo(3);
        assertThat(node.processCount()).isZero();
    }

    /** Manual restarts give fresh state but do not count toward the intensity. */
    @Test
    void restartChildDoesNotCountTowardIntensity() {
        Supervisor sup = start(abc(Strategy.ONE_FOR_ONE, 1, LONG_PERIOD));
        Pid b = pid(node, "b");
        for (int i = 1; i <= 3; i++) {
            bump(node, "b", 2);
            sup.terminateChild("b");
            sup.restartChild("b");
            Pid next = pid(node, "b");
            assertThat(next.incarnation()).isEqualTo(b.incarnation() + 1);
            assertThat(count(node, "b")).as("fresh state after a manual restart").isZero();
            assertThat(child(sup, "b").restarts()).isEqualTo(i);
            assertThat(child(sup, "b").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
            b = next;
        }
        assertThat(events.of(Restarted.class)).extracting(Restarted::supervisor).containsOnly("sup").hasSize(3);

        crashAndAwaitRestart("b"); // the one restart allowed
        flush(node, "sup");
        assertThat(sup.isAlive()).isTrue();

        crash(pid(node, "b")); // one too many
        awaitEscalated(sup);
    }
}
