package io.rusm.supervision;

import io.rusm.ChildSnapshot;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.RestartType;
import io.rusm.Strategy;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.supervision.SupervisionFixtures.SupervisionEvents.Escalated;
import io.rusm.supervision.SupervisionFixtures.SupervisionEvents.Restarted;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.rusm.supervision.SupervisionFixtures.CRASH;
import static io.rusm.supervision.SupervisionFixtures.LONG_PERIOD;
import static io.rusm.supervision.SupervisionFixtures.WAIT;
import static io.rusm.supervision.SupervisionFixtures.eventually;
import static io.rusm.supervision.SupervisionFixtures.awaitNewIncarnation;
import static io.rusm.supervision.SupervisionFixtures.bump;
import static io.rusm.supervision.SupervisionFixtures.child;
import static io.rusm.supervision.SupervisionFixtures.count;
import static io.rusm.supervision.SupervisionFixtures.flush;
import static io.rusm.supervision.SupervisionFixtures.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Nested supervisors, after OTP's {@code tree}: a nested supervisor that escalates is, to its
 * parent, a child that crashed; escalations that pile up reach the root.
 *
 * <pre>
 * root (one-for-one)
 * ├── w1
 * ├── inner (one-for-one, intensity 1)
 * │   ├── x
 * │   └── y
 * └── w2
 * </pre>
 */
class SupervisorNestedTest extends SupervisionTestBase {

    private SupervisorSpec tree(int rootIntensity, Strategy rootStrategy, RestartType innerRestart) {
        SupervisorSpec inner = SupervisorSpec.of("inner").withIntensity(1, LONG_PERIOD).withRestart(innerRestart)
                .withChildren(List.of(worker("x"), worker("y")));
        return SupervisorSpec.of("root").withStrategy(rootStrategy).withIntensity(rootIntensity, LONG_PERIOD)
                .withChildren(List.of(worker("w1"), inner, worker("w2")));
    }

    private void crash(String name) {
        Pid p = pid(node, name);
        assertThatThrownBy(() -> node.call(p, CRASH, WAIT)).isInstanceOf(ProcessCrashedException.class);
    }

    /** Crashes x twice: the second crash is one past inner's intensity of 1, so inner escalates. */
    private Pid escalateInner() {
        Pid inner = pid(node, "inner");
        Pid x = pid(node, "x");
        crash("x");
        awaitNewIncarnation(node, "x", x);
        crash("x");
        return awaitNewIncarnation(node, "inner", inner);
    }

    @Test
    void nestedSupervisorThatEscalatesIsRestartedByItsParentAsACrashedChild() {
        Supervisor root = start(tree(5, Strategy.ONE_FOR_ONE, RestartType.PERMANENT));
        Pid w1 = pid(node, "w1"), w2 = pid(node, "w2"), inner0 = pid(node, "inner"), y0 = pid(node, "y");
        bump(node, "w1", 1);
        bump(node, "x", 2);
        bump(node, "y", 3);
        bump(node, "w2", 4);

        // One crash of x is within inner's intensity: inner restarts x, root notices nothing.
        Pid x0 = pid(node, "x");
        crash("x");
        Pid x1 = awaitNewIncarnation(node, "x", x0);
        flush(node, "inner");
        assertThat(child(root, "x").restarts()).isEqualTo(1);
        assertThat(child(root, "inner").restarts()).isZero();
        assertThat(events.of(Restarted.class)).containsExactly(new Restarted("inner", x1));
        bump(node, "x", 2);

        // The second is one too many: inner stops y, escalates, and root restarts it with fresh children.
        int mark = journal.mark();
        crash("x");
        Pid inner1 = awaitNewIncarnation(node, "inner", inner0);
        eventually().until(() -> child(root, "inner").status() == ChildStatus.RUNNING);
        flush(node, "root");

        assertThat(journal.since(mark)).containsExactly("terminate:y", "init:x", "init:y");
        assertThat(inner1.incarnation()).isEqualTo(inner0.incarnation() + 1);
        ChildSnapshot.Supervisor innerSnap = (ChildSnapshot.Supervisor) child(root, "inner");
        assertThat(innerSnap.status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(innerSnap.pid()).isEqualTo(inner1);
        assertThat(innerSnap.restarts()).isEqualTo(1);
        assertThat(innerSnap.lastExitReason()).as("a supervisor that gives up exits shutdown, as OTP's").isEqualTo(ExitReason.SHUTDOWN);
        assertThat(innerSnap.children()).extracting(ChildSnapshot::name).containsExactly("x", "y");
        for (ChildSnapshot c : innerSnap.children()) {
            // a fresh supervisor incarnation: its children are fresh too, with no restarts of their own
            assertThat(c.status()).as(c.name()).isEqualTo(ChildStatus.RUNNING);
            assertThat(c.pid()).as(c.name()).isEqualTo(pid(node, c.name()));
            assertThat(c.restarts()).as(c.name()).isZero();
        }
        assertThat(pid(node, "x").incarnation()).isEqualTo(x1.incarnation() + 1);
        assertThat(pid(node, "y").incarnation()).isEqualTo(y0.incarnation() + 1);
        assertThat(count(node, "x")).isZero();
        assertThat(count(node, "y")).isZero();

        // Siblings of inner under one-for-one are untouched.
        assertThat(pid(node, "w1")).isEqualTo(w1);
        assertThat(pid(node, "w2")).isEqualTo(w2);
        assertThat(count(node, "w1")).isEqualTo(1);
        assertThat(count(node, "w2")).isEqualTo(4);
        assertThat(child(root, "w1").restarts()).isZero();

        // Events name the supervisor that acted.
        assertThat(events.of(Escalated.class)).containsExactly(new Escalated("inner", inner0));
        assertThat(events.of(Restarted.class)).containsExactly(new Restarted("inner", x1), new Restarted("root", inner1));
        assertThat(root.isAlive()).isTrue();
        assertThat(abnormalExits).isEmpty();
    }

    @Test
    void escalationOfANestedSupervisorRestartsItsSiblingsUnderOneForAll() {
        Supervisor root = start(tree(5, Strategy.ONE_FOR_ALL, RestartType.PERMANENT));
        Pid w1 = pid(node, "w1"), w2 = pid(node, "w2");
        int mark = journal.mark();
        escalateInner();
        eventually().until(() -> child(root, "w2").status() == ChildStatus.RUNNING
                && !w2.equals(child(root, "w2").pid()));
        flush(node, "root");

        // inner's escalation stops y; then root stops the rest in reverse order and restarts all in order.
        assertThat(journal.since(mark)).containsExactly("init:x", "terminate:y", "terminate:w2", "terminate:w1",
                "init:w1", "init:x", "init:y", "init:w2");
        assertThat(pid(node, "w1")).isNotEqualTo(w1);
        assertThat(child(root, "w1").restarts()).isEqualTo(1);
        assertThat(child(root, "inner").restarts()).isEqualTo(1);
        assertThat(child(root, "w2").restarts()).isEqualTo(1);
    }

    @Test
    void temporaryNestedSupervisorThatEscalatesIsNotRestarted() {
        Supervisor root = start(tree(5, Strategy.ONE_FOR_ONE, RestartType.TEMPORARY));
        Pid inner = pid(node, "inner");
        Pid x = pid(node, "x");
        crash("x");
        awaitNewIncarnation(node, "x", x);
        crash("x");
        assertThat(events.awaitExit(inner)).isEqualTo(ExitReason.SHUTDOWN);
        flush(node, "root");
        assertThat(node.whereis("inner")).isEmpty();
        assertThat(node.whereis("x")).isEmpty();
        assertThat(node.whereis("y")).isEmpty();
        // OTP: a temporary child that ended is removed from its supervisor.
        assertThat(root.snapshot().children()).extracting(ChildSnapshot::name).doesNotContain("inner");
        assertThat(root.isAlive()).isTrue();
    }

    @Test
    void repeatedNestedEscalationReachesTheRootWhichEscalates() {
        Supervisor root = start(tree(1, Strategy.ONE_FOR_ONE, RestartType.PERMANENT));
        Pid rootPid = root.pid();
        Pid inner0 = pid(node, "inner");

        Pid inner1 = escalateInner(); // root's one allowed restart
        flush(node, "root");
        assertThat(root.isAlive()).isTrue();
        assertThat(child(root, "inner").restarts()).isEqualTo(1);

        Pid x = pid(node, "x");
        crash("x");
        awaitNewIncarnation(node, "x", x);
        flush(node, "inner"); // x's restart, its init included, is done before the mark
        int mark = journal.mark();
        crash("x"); // inner escalates again: one restart too many for root

        awaitEscalated(root);
        assertThat(journal.since(mark)).containsExactly("terminate:y", "terminate:w2", "terminate:w1");
        assertThat(events.of(Escalated.class)).containsExactly(
                new Escalated("inner", inner0), new Escalated("inner", inner1), new Escalated("root", rootPid));
        assertThat(node.processCount()).isZero();

        ChildSnapshot.Supervisor snap = root.snapshot();
        assertThat(snap.status()).isEqualTo(ChildStatus.ESCALATED);
        assertThat(snap.children()).extracting(ChildSnapshot::status).containsOnly(ChildStatus.ESCALATED);
        assertThat(child(root, "inner").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
    }
}
