package io.rusm.supervision;

import io.rusm.Behavior;
import io.rusm.ChildCounts;
import io.rusm.ChildSnapshot;
import io.rusm.ChildSpec;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.RestartType;
import io.rusm.Strategy;
import io.rusm.Supervisor;
import io.rusm.SupervisorChildException;
import io.rusm.SupervisorChildException.Problem;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.WorkerTemplate;
import io.rusm.supervision.SupervisionFixtures.Counter;
import io.rusm.supervision.SupervisionFixtures.Flush;
import io.rusm.supervision.SupervisionFixtures.Knobs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.rusm.supervision.SupervisionFixtures.BLOCK;
import static io.rusm.supervision.SupervisionFixtures.CRASH;
import static io.rusm.supervision.SupervisionFixtures.STOP_NORMAL;
import static io.rusm.supervision.SupervisionFixtures.WAIT;
import static io.rusm.supervision.SupervisionFixtures.awaitLatch;
import static io.rusm.supervision.SupervisionFixtures.eventually;
import static io.rusm.supervision.SupervisionFixtures.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * OTP's {@code lib/stdlib/test/supervisor_SUITE.erl}, case by case: each test is named after the
 * OTP case it ports and asserts what that case asserts, in rusm's terms. OTP's
 * {@code supervisor:which_children} is {@link Supervisor#whichChildren()}, {@code count_children}
 * is {@link Supervisor#countChildren()} (compared as {@code [specs, active, supervisors, workers]},
 * the suite's {@code get_child_counts}), {@code {error, Reason}} is a
 * {@link SupervisorChildException} with that {@link Problem}.
 *
 * <p>Not ported, because rusm has no such thing: {@code sup_start_ignore_init} (a rusm supervisor's
 * init is its spec), {@code extra_return} and {@code simple_one_for_one_extra} (no {@code {ok, Pid,
 * Info}}), {@code faulty_application_shutdown} (no OTP applications), {@code child_unlink} in its
 * original form, and the {@code code_change*} cases (no hot code upgrade).
 */
class OtpSupervisorSuiteTest extends SupervisionTestBase {

    private static final Duration HOUR = Duration.ofHours(1);

    // ---- helpers in the suite's terms --------------------------------------------------------

    private Supervisor startLink(Strategy strategy, int intensity, List<? extends ChildSpec> children) {
        return start(SupervisorSpec.of("sup_test").withStrategy(strategy).withIntensity(intensity, HOUR).withChildren(children));
    }

    private Supervisor startLink(Strategy strategy, int intensity) {
        return startLink(strategy, intensity, List.of());
    }

    private Supervisor startSimple(WorkerTemplate template, int intensity) {
        return start(SupervisorSpec.simpleOneForOne("sup_test", template).withIntensity(intensity, HOUR));
    }

    /** A pool template whose children take their {@link Knobs} as first argument (fresh ones if none). */
    private WorkerTemplate poolChild(RestartType restart) {
        return WorkerTemplate.of("child", args -> new Counter("child", journal, args.isEmpty() ? knobs() : (Knobs) args.getFirst()))
                .withRestart(restart).withShutdownTimeout(Duration.ofSeconds(1));
    }

    private WorkerSpec child(String name, RestartType restart) {
        return worker(name).withRestart(restart).withShutdownTimeout(Duration.ofSeconds(1));
    }

    private WorkerSpec child(String name, RestartType restart, Knobs k) {
        return worker(name, k).withRestart(restart).withShutdownTimeout(Duration.ofSeconds(1));
    }

    private static Behavior echo() {
        return message -> message;
    }

    private static List<Integer> counts(Supervisor sup) {
        ChildCounts c = sup.countChildren();
        return List.of(c.specs(), c.active(), c.supervisors(), c.workers());
    }

    private static Pid ok(java.util.Optional<Pid> started) {
        return started.orElseThrow(() -> new AssertionError("expected {ok, Pid}, the child ignored its start"));
    }

    private static void error(Problem problem, Runnable request) {
        assertThat(catchThrowable(request::run)).isInstanceOfSatisfying(SupervisorChildException.class,
                e -> assertThat(e.problem()).isEqualTo(problem));
    }

    /** which_children as (name, pid-or-null) pairs. */
    private static List<String> which(Supervisor sup) {
        List<String> out = new ArrayList<>();
        for (ChildSnapshot c : sup.whichChildren()) out.add(c.name() + "=" + (c.pid() == null ? c.status() : c.pid()));
        return out;
    }

    private static List<Pid> pids(Supervisor sup) {
        return sup.whichChildren().stream().map(ChildSnapshot::pid).filter(p -> p != null).toList();
    }

    /** The suite's ways to end a child. */
    enum How { KILL, SHUTDOWN, SHUTDOWN_WITH_INFO, NORMAL, ABNORMAL }

    /** The suite's {@code terminate(Sup, ChildPid, Id, How)}: ends the child, waits for its exit and for the supervisor to handle it. */
    private ExitReason terminate(Pid supervisor, Pid child, How how) {
        switch (how) {
            case KILL -> node.kill(child);
            case SHUTDOWN -> node.exit(child, ExitReason.SHUTDOWN);
            case SHUTDOWN_WITH_INFO -> node.exit(child, ExitReason.shutdown("some_info"));
            case NORMAL -> node.call(child, STOP_NORMAL, WAIT);
            case ABNORMAL -> assertThat(catchThrowable(() -> node.call(child, CRASH, WAIT))).isNotNull();
        }
        ExitReason reason = events.awaitExit(child);
        awaitHandled(supervisor, child);
        return reason;
    }

    /**
     * Waits until {@code supervisor} has handled {@code child}'s exit: the exit signal travels on
     * its own, so the child's death being known says nothing yet of the supervisor's mailbox.
     */
    private void awaitHandled(Pid supervisor, Pid child) {
        eventually().until(() -> {
            try {
                List<ChildSnapshot> children = node.call(supervisor, new io.rusm.internal.supervisor.SupervisorBehavior.WhichChildren(), WAIT);
                return children.stream().noneMatch(c -> child.equals(c.pid()));
            } catch (RuntimeException gone) {
                return true; // the supervisor ended (gave up): nothing left to handle
            }
        });
    }

    private void flushPid(Pid supervisor) {
        if (node.isAlive(supervisor)) {
            try {
                node.call(supervisor, new Flush(), WAIT);
            } catch (RuntimeException ignored) {
                // it ended meanwhile (gave up): nothing left to wait for
            }
        }
    }

    /** check_exit([SupPid]): the supervisor gave up, exiting with shutdown as OTP's does. */
    private void checkGaveUp(Supervisor sup) {
        awaitEscalated(sup);
        assertThat(events.awaitExit(sup.pid())).isEqualTo(ExitReason.SHUTDOWN);
    }

    // ---- sup_start ----------------------------------------------------------------------------

    @Test
    void sup_start_normal() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void sup_start_ignore_child() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Knobs ignoring = knobs();
        ignoring.ignoreStart = true;
        assertThat(sup.startChild(child("child1", RestartType.PERMANENT, ignoring))).isEmpty();
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.PERMANENT)));
        assertThat(which(sup)).containsExactly("child1=STOPPED", "child2=" + cpid2);
        assertThat(counts(sup)).containsExactly(2, 1, 0, 2);
    }

    @Test
    void sup_start_ignore_temporary_child() {
        Knobs ignoring = knobs();
        ignoring.ignoreStart = true;
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2,
                List.of(child("child1", RestartType.TEMPORARY, ignoring), child("child2", RestartType.TEMPORARY)));
        assertThat(which(sup)).containsExactly("child2=" + pid(node, "child2"));
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
    }

    @Test
    void sup_start_ignore_temporary_child_start_child() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Knobs ignoring = knobs();
        ignoring.ignoreStart = true;
        assertThat(sup.startChild(child("child1", RestartType.TEMPORARY, ignoring))).isEmpty();
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.TEMPORARY)));
        assertThat(which(sup)).containsExactly("child2=" + cpid2);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
    }

    @Test
    void sup_start_ignore_temporary_child_start_child_simple() {
        Supervisor sup = startSimple(poolChild(RestartType.TEMPORARY), 2);
        Knobs ignoring = knobs();
        ignoring.ignoreStart = true;
        assertThat(sup.startChild(ignoring)).isEmpty();
        Pid cpid2 = ok(sup.startChild());
        assertThat(which(sup)).containsExactly("child=" + cpid2);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
    }

    @Test
    void sup_start_ignore_permanent_child_start_child_simple() {
        Supervisor sup = startSimple(poolChild(RestartType.PERMANENT), 2);
        Knobs ignoring = knobs();
        ignoring.ignoreStart = true;
        assertThat(sup.startChild(ignoring)).isEmpty();
        Pid cpid2 = ok(sup.startChild());
        assertThat(which(sup)).containsExactly("child=" + cpid2);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
        // Regression in OTP: the supervisor terminates without error.
        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
    }

    /** sup_start_fail / sup_start_error_return: a supervisor that cannot start its children fails to start and leaves nothing. */
    @Test
    void sup_start_fail() {
        Knobs failing = knobs();
        failing.initFailures.set(1);
        assertThatThrownBy(() -> startLink(Strategy.ONE_FOR_ONE, 2, List.of(child("child1", RestartType.PERMANENT), child("child2", RestartType.PERMANENT, failing))))
                .hasMessageContaining("child2");
        assertThat(node.whereis("sup_test")).isEmpty();
        assertThat(node.whereis("child1")).isEmpty();
        assertThat(node.supervisors()).isEmpty();
    }

    /** sup_start_map: the defaults of a child spec are OTP's (permanent, 5000 ms; a supervisor child: infinity). */
    @Test
    void sup_start_map() {
        WorkerSpec w = WorkerSpec.of("child1", () -> message -> message);
        assertThat(w.restart()).isEqualTo(RestartType.PERMANENT);
        assertThat(w.shutdownTimeout()).isEqualTo(Duration.ofMillis(5000));
        SupervisorSpec s = SupervisorSpec.of("child3");
        assertThat(s.restart()).isEqualTo(RestartType.PERMANENT);
        assertThat(s.shutdownTimeout()).isEqualTo(ChildSpec.INFINITY);
        assertThat(ChildSpec.isInfinite(s.shutdownTimeout())).isTrue();
    }

    // ---- sup_stop -----------------------------------------------------------------------------

    @Test
    void sup_stop_infinity() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(SupervisorSpec.of("child1").withShutdownTimeout(ChildSpec.INFINITY)));
        Pid cpid2 = ok(sup.startChild(worker("child2").withShutdownTimeout(ChildSpec.INFINITY)));
        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(cpid1)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(cpid2)).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void sup_stop_timeout() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Knobs sleepy = knobs();
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.PERMANENT, sleepy)));
        node.callAsync("child2", BLOCK, WAIT); // CPid2 ! {sleep, 200000}
        awaitLatch(sleepy.blocking, "child2 sleeps");

        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(cpid1)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(cpid2)).isEqualTo(ExitReason.KILLED);
    }

    /** Brutal kill every time: reason killed, no drain, no stop hook (20 rounds: it used to vary). */
    @Test
    void sup_stop_brutal_kill() {
        for (int round = 0; round < 20; round++) {
            Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
            Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
            Pid cpid2 = ok(sup.startChild(worker("child2").withShutdownTimeout(ChildSpec.BRUTAL_KILL)));
            int mark = journal.mark();

            assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);

            assertThat(events.awaitExit(cpid1)).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(events.awaitExit(cpid2)).as("round " + round).isEqualTo(ExitReason.KILLED);
            assertThat(journal.since(mark)).as("round " + round + ": no stop hook for a brutal kill").containsExactly("terminate:child1");
        }
    }

    // ---- child administration ------------------------------------------------------------------

    @Test
    void child_adm() {
        WorkerSpec child = child("child1", RestartType.PERMANENT);
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2, List.of(child));
        Pid cpid = pid(node, "child1");
        assertThat(which(sup)).containsExactly("child1=" + cpid);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);

        // Start of an already running process
        assertThat(catchThrowable(() -> sup.startChild(child))).isInstanceOfSatisfying(SupervisorChildException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.ALREADY_STARTED);
            assertThat(e.pid()).isEqualTo(cpid);
        });

        // Termination
        error(Problem.NOT_FOUND, () -> sup.terminateChild("hej"));
        sup.terminateChild("child1");
        assertThat(events.awaitExit(cpid)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(which(sup)).containsExactly("child1=STOPPED");
        assertThat(counts(sup)).containsExactly(1, 0, 0, 1);
        sup.terminateChild("child1"); // like deleting something that does not exist, it succeeds

        // Start of already existing but not running process
        error(Problem.ALREADY_PRESENT, () -> sup.startChild(child));

        // Restart
        Pid cpid2 = ok(sup.restartChild("child1"));
        assertThat(which(sup)).containsExactly("child1=" + cpid2);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
        error(Problem.RUNNING, () -> sup.restartChild("child1"));
        error(Problem.NOT_FOUND, () -> sup.restartChild("child2"));

        // Deletion
        error(Problem.RUNNING, () -> sup.deleteChild("child1"));
        error(Problem.NOT_FOUND, () -> sup.deleteChild("hej"));
        sup.terminateChild("child1");
        sup.deleteChild("child1");
        error(Problem.NOT_FOUND, () -> sup.restartChild("child1"));
        assertThat(sup.whichChildren()).isEmpty();
        assertThat(counts(sup)).containsExactly(0, 0, 0, 0);

        // Start
        Pid cpid3 = ok(sup.startChild(child));
        assertThat(which(sup)).containsExactly("child1=" + cpid3);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);

        // Terminate with a pid is not allowed when not simple_one_for_one
        error(Problem.NOT_FOUND, () -> sup.terminateChild(cpid3));
        assertThat(which(sup)).containsExactly("child1=" + cpid3);

        // A supervisor that is not running: noproc
        sup.stop();
        assertThatThrownBy(sup::whichChildren).isInstanceOf(NoProcessException.class);
        assertThatThrownBy(sup::countChildren).isInstanceOf(NoProcessException.class);
        assertThatThrownBy(() -> sup.startChild(child)).isInstanceOf(NoProcessException.class);
    }

    @Test
    void child_adm_simple() {
        Supervisor sup = startSimple(poolChild(RestartType.PERMANENT), 2);
        // In simple_one_for_one all children are added dynamically
        assertThat(sup.whichChildren()).isEmpty();
        assertThat(counts(sup)).containsExactly(1, 0, 0, 0);

        Pid cpid1 = ok(sup.startChild());
        assertThat(pids(sup)).containsExactly(cpid1);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
        Pid cpid2 = ok(sup.startChild());
        assertThat(pids(sup)).containsExactlyInAnyOrder(cpid1, cpid2);
        assertThat(counts(sup)).containsExactly(1, 2, 0, 2);

        // Termination
        error(Problem.SIMPLE_ONE_FOR_ONE, () -> sup.terminateChild("child1"));
        assertThat(counts(sup)).containsExactly(1, 2, 0, 2);
        sup.terminateChild(cpid1);
        assertThat(sup.whichChildren()).hasSize(1);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
        assertThat(node.isAlive(cpid1)).isFalse();
        sup.terminateChild(cpid1); // terminating a process that no longer exists is ok
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
        Pid noChild = node.spawn(message -> message); // a pid which is not a child of this supervisor
        error(Problem.NOT_FOUND, () -> sup.terminateChild(noChild));
        assertThat(node.isAlive(noChild)).isTrue();

        error(Problem.SIMPLE_ONE_FOR_ONE, () -> sup.restartChild("child1"));
        error(Problem.SIMPLE_ONE_FOR_ONE, () -> sup.deleteChild("child1"));
    }

    /** child_specs: invalid specs are rejected (in rusm when the spec is built). */
    @Test
    void child_specs() {
        assertThatThrownBy(() -> worker("child").withShutdownTimeout(Duration.ofMillis(-10))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorkerSpec.of("child", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> worker("child").withRestart(null)).isInstanceOf(NullPointerException.class);
        // correct ones: infinity for supervisors and workers
        assertThat(SupervisorSpec.of("child").withShutdownTimeout(ChildSpec.INFINITY).shutdownTimeout()).isEqualTo(ChildSpec.INFINITY);
        assertThat(worker("child").withShutdownTimeout(ChildSpec.INFINITY).shutdownTimeout()).isEqualTo(ChildSpec.INFINITY);
        // duplicate_child_name
        assertThatThrownBy(() -> SupervisorSpec.of("s").withChildren(List.of(worker("child"), SupervisorSpec.of("child"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("child");
        // simple_one_for_one needs exactly one template
        assertThatThrownBy(() -> SupervisorSpec.of("s").withStrategy(Strategy.SIMPLE_ONE_FOR_ONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SupervisorSpec.simpleOneForOne("s", poolChild(RestartType.PERMANENT)).withChild(worker("c2")))
                .isInstanceOf(IllegalArgumentException.class);
        // a bad start request at run time answers the caller, the supervisor stays up
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        error(Problem.SIMPLE_ONE_FOR_ONE, () -> sup.startChild("hej"));
        assertThat(sup.isAlive()).isTrue();
    }

    /** sup_flags: a negative intensity or a non-positive period is invalid; intensity 0 is allowed. */
    @Test
    void sup_flags() {
        assertThatThrownBy(() -> SupervisorSpec.of("s").withIntensity(-1, HOUR)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SupervisorSpec.of("s").withIntensity(2, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        Supervisor sup = start(SupervisorSpec.of("sup_test").withIntensity(0, Duration.ofSeconds(1)));
        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
    }

    // ---- restart types ------------------------------------------------------------------------

    @Test
    void permanent_normal() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        terminate(sup.pid(), cpid1, How.NORMAL);
        assertThat(pids(sup)).hasSize(1).doesNotContain(cpid1);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
    }

    @Test
    void transient_normal() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.TRANSIENT)));
        terminate(sup.pid(), cpid1, How.NORMAL);
        assertThat(which(sup)).containsExactly("child1=STOPPED");
        assertThat(counts(sup)).containsExactly(1, 0, 0, 1);
    }

    @Test
    void temporary_normal() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.TEMPORARY)));
        terminate(sup.pid(), cpid1, How.NORMAL);
        assertThat(sup.whichChildren()).isEmpty();
        assertThat(counts(sup)).containsExactly(0, 0, 0, 0);
    }

    @Test
    void permanent_shutdown() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        terminate(sup.pid(), cpid1, How.SHUTDOWN);
        Pid cpid2 = pids(sup).getFirst();
        assertThat(cpid2).isNotEqualTo(cpid1);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);

        assertThat(terminate(sup.pid(), cpid2, How.SHUTDOWN_WITH_INFO)).isEqualTo(ExitReason.shutdown("some_info"));
        assertThat(pids(sup)).hasSize(1).doesNotContain(cpid1, cpid2);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
    }

    @Test
    void transient_shutdown() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.TRANSIENT)));
        terminate(sup.pid(), cpid1, How.SHUTDOWN);
        assertThat(which(sup)).containsExactly("child1=STOPPED");
        assertThat(counts(sup)).containsExactly(1, 0, 0, 1);

        Pid cpid2 = ok(sup.restartChild("child1"));
        terminate(sup.pid(), cpid2, How.SHUTDOWN_WITH_INFO);
        assertThat(which(sup)).as("{shutdown, Term} is normal for a transient child").containsExactly("child1=STOPPED");
        assertThat(counts(sup)).containsExactly(1, 0, 0, 1);
    }

    @Test
    void temporary_shutdown() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        WorkerSpec child1 = child("child1", RestartType.TEMPORARY);
        Pid cpid1 = ok(sup.startChild(child1));
        terminate(sup.pid(), cpid1, How.SHUTDOWN);
        assertThat(sup.whichChildren()).isEmpty();
        assertThat(counts(sup)).containsExactly(0, 0, 0, 0);

        Pid cpid2 = ok(sup.startChild(child1));
        terminate(sup.pid(), cpid2, How.SHUTDOWN_WITH_INFO);
        assertThat(sup.whichChildren()).isEmpty();
        assertThat(counts(sup)).containsExactly(0, 0, 0, 0);
    }

    @Test
    void permanent_abnormal() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        assertThat(pids(sup)).hasSize(1).doesNotContain(cpid1);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
    }

    @Test
    void transient_abnormal() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.TRANSIENT)));
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        assertThat(pids(sup)).hasSize(1).doesNotContain(cpid1);
        assertThat(counts(sup)).containsExactly(1, 1, 0, 1);
    }

    @Test
    void temporary_abnormal() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.TEMPORARY)));
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        assertThat(sup.whichChildren()).isEmpty();
        assertThat(counts(sup)).containsExactly(0, 0, 0, 0);
    }

    /** A temporary bystander of a group restart is not restarted, so the supervisor does not hit its limit. */
    @Test
    void temporary_bystander() {
        Supervisor sup1 = start(SupervisorSpec.of("sup1").withStrategy(Strategy.ONE_FOR_ALL).withIntensity(2, Duration.ofMillis(300)));
        Supervisor sup2 = start(SupervisorSpec.of("sup2").withStrategy(Strategy.REST_FOR_ONE).withIntensity(2, Duration.ofMillis(300)));
        Pid cpid1 = ok(sup1.startChild(worker("child1").withShutdownTimeout(Duration.ofMillis(100))));
        ok(sup1.startChild(worker("child2").withRestart(RestartType.TEMPORARY).withShutdownTimeout(Duration.ofMillis(100))));
        Pid cpid3 = ok(sup2.startChild(worker("child3").withShutdownTimeout(Duration.ofMillis(100))));
        ok(sup2.startChild(worker("child4").withRestart(RestartType.TEMPORARY).withShutdownTimeout(Duration.ofMillis(100))));
        terminate(sup1.pid(), cpid1, How.NORMAL);
        terminate(sup2.pid(), cpid3, How.NORMAL);

        // The supervisor would die attempting to restart child2
        assertThat(sup1.isAlive()).isTrue();
        assertThat(sup2.isAlive()).isTrue();
        // Child2 has not been restarted
        assertThat(sup1.whichChildren()).extracting(ChildSnapshot::name).containsExactly("child1");
        assertThat(sup2.whichChildren()).extracting(ChildSnapshot::name).containsExactly("child3");
        assertThat(node.whereis("child2")).isEmpty();
        assertThat(node.whereis("child4")).isEmpty();
    }

    /** Restarts spread out beyond the period never add up to an escalation. */
    @Test
    void multiple_restarts() {
        Duration period = Duration.ofMillis(300);
        Supervisor sup = start(SupervisorSpec.of("sup_test").withIntensity(1, period));
        Pid cpid = ok(sup.startChild(worker("child1").withShutdownTimeout(ChildSpec.BRUTAL_KILL)));
        terminate(sup.pid(), cpid, How.ABNORMAL);
        for (int i = 0; i < 3; i++) {
            long since = System.nanoTime();
            // The period has to pass: that is the subject of the case, not a synchronisation.
            eventually().pollDelay(period.plusMillis(100)).until(() -> System.nanoTime() - since > period.plusMillis(50).toNanos());
            terminate(sup.pid(), pids(sup).getFirst(), How.ABNORMAL);
        }
        // The supervisor is still alive; clean up.
        assertThat(sup.isAlive()).isTrue();
        sup.terminateChild("child1");
        sup.deleteChild("child1");
        node.kill(sup.pid());
    }

    // ---- restart strategies ---------------------------------------------------------------------

    @Test
    void one_for_one() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.PERMANENT)));
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        assertThat(pids(sup)).hasSize(2).contains(cpid2);
        assertThat(counts(sup)).containsExactly(2, 2, 0, 2);

        // restart frequency
        terminate(sup.pid(), cpid2, How.ABNORMAL);
        terminate(sup.pid(), pids(sup).getFirst(), How.ABNORMAL);
        checkGaveUp(sup);
    }

    @Test
    void one_for_one_escalation() {
        Knobs error = knobs();
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 4);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT, error)));
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.PERMANENT)));
        error.initFailures.set(Integer.MAX_VALUE); // start_child(error): every restart fails
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        checkGaveUp(sup);
        assertThat(events.awaitExit(cpid2)).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void one_for_all() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ALL, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.PERMANENT)));
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        events.awaitExit(cpid2);
        assertThat(pids(sup)).hasSize(2).doesNotContain(cpid1, cpid2); // no old child is still alive
        assertThat(counts(sup)).containsExactly(2, 2, 0, 2);

        terminate(sup.pid(), pids(sup).getFirst(), How.ABNORMAL);
        terminate(sup.pid(), pids(sup).getFirst(), How.ABNORMAL);
        checkGaveUp(sup);
    }

    @Test
    void one_for_all_escalation() {
        laterChildThatCannotRestartEscalates(Strategy.ONE_FOR_ALL);
    }

    /** child1's crash restarts child2 too, whose start now always fails: the supervisor gives up. */
    private void laterChildThatCannotRestartEscalates(Strategy strategy) {
        Knobs error = knobs();
        Supervisor sup = startLink(strategy, 4);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.PERMANENT, error)));
        error.initFailures.set(Integer.MAX_VALUE);
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        events.awaitExit(cpid2);
        checkGaveUp(sup);
    }

    /** A group restart in which a later child fails to start: the restarted earlier child is stopped again, then all restart. */
    @Test
    void one_for_all_other_child_fails_restart() {
        Knobs k2 = knobs();
        Supervisor sup = startLink(Strategy.ONE_FOR_ALL, 3, List.of(child("child1", RestartType.PERMANENT), child("child2", RestartType.PERMANENT, k2)));
        Pid child1 = pid(node, "child1");
        k2.initFailures.set(1); // child2's next start fails once
        int mark = journal.mark();
        node.exit(child1, ExitReason.crashed(new SupervisionFixtures.Boom("die")));

        eventually().until(() -> counts(sup).equals(List.of(2, 2, 0, 2)));
        assertThat(journal.since(mark)).containsExactly("terminate:child2", "init:child1", "init-failed:child2",
                "terminate:child1", "init:child1", "init:child2");
        assertThat(sup.isAlive()).isTrue();
    }

    /** rest_for_one: only the failed child and those after it restart; the retry does not restart the earlier child again. */
    @Test
    void rest_for_one_other_child_fails_restart() {
        Knobs k2 = knobs();
        Supervisor sup = startLink(Strategy.REST_FOR_ONE, 3, List.of(child("child1", RestartType.PERMANENT), child("child2", RestartType.PERMANENT, k2)));
        Pid child1 = pid(node, "child1");
        k2.initFailures.set(1);
        int mark = journal.mark();
        node.exit(child1, ExitReason.crashed(new SupervisionFixtures.Boom("die")));

        eventually().until(() -> counts(sup).equals(List.of(2, 2, 0, 2)));
        assertThat(journal.since(mark)).containsExactly("terminate:child2", "init:child1", "init-failed:child2", "init:child2");
        assertThat(sup.isAlive()).isTrue();
    }

    @Test
    void simple_one_for_one() {
        Supervisor sup = startSimple(poolChild(RestartType.PERMANENT), 2);
        Pid cpid1 = ok(sup.startChild());
        Pid cpid2 = ok(sup.startChild());
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        assertThat(pids(sup)).hasSize(2).contains(cpid2).doesNotContain(cpid1);
        assertThat(counts(sup)).containsExactly(1, 2, 0, 2);

        terminate(sup.pid(), cpid2, How.ABNORMAL);
        terminate(sup.pid(), pids(sup).getFirst(), How.ABNORMAL);
        checkGaveUp(sup);
    }

    /** The pool's children stop all at once within the template's shutdown timeout, stragglers killed. */
    @Test
    void simple_one_for_one_shutdown() {
        Duration shutdownTime = Duration.ofMillis(500);
        WorkerTemplate template = WorkerTemplate.of("child", args -> new SlowStop((Duration) args.getFirst()))
                .withShutdownTimeout(shutdownTime.multipliedBy(2));
        Supervisor sup = startSimple(template, 2);
        ok(sup.startChild(shutdownTime)); // will be gracefully shut down
        ok(sup.startChild(shutdownTime));
        Pid slow = ok(sup.startChild(shutdownTime.multipliedBy(5))); // will be killed after 2 * ShutdownTime

        long t0 = System.nanoTime();
        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(took).as("children wait before exiting").isGreaterThanOrEqualTo(shutdownTime);
        assertThat(took).as("stopped in parallel, the straggler killed").isLessThan(shutdownTime.multipliedBy(5));
        assertThat(events.awaitExit(slow)).isEqualTo(ExitReason.KILLED);
    }

    /** A pool child whose stop hook takes {@code delay} (OTP's supervisor_2). */
    static final class SlowStop implements Behavior {
        private final Duration delay;

        SlowStop(Duration delay) {
            this.delay = delay;
        }

        @Override
        public Object handle(Object message) {
            return message;
        }

        @Override
        public void terminate() {
            java.util.concurrent.locks.LockSupport.parkNanos(delay.toNanos()); // the child's own slowness, not synchronisation
        }
    }

    @Test
    void simple_one_for_one_escalation() {
        Supervisor sup = startSimple(poolChild(RestartType.PERMANENT), 4);
        Knobs error = knobs();
        Pid cpid1 = ok(sup.startChild(error));
        Pid cpid2 = ok(sup.startChild());
        error.initFailures.set(Integer.MAX_VALUE);
        terminate(sup.pid(), cpid1, How.ABNORMAL);
        checkGaveUp(sup);
        assertThat(events.awaitExit(cpid2)).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void rest_for_one() {
        Supervisor sup = startLink(Strategy.REST_FOR_ONE, 2);
        Pid cpid1 = ok(sup.startChild(child("child1", RestartType.PERMANENT)));
        Pid cpid2 = ok(sup.startChild(child("child2", RestartType.PERMANENT)));
        Pid cpid3 = ok(sup.startChild(child("child3", RestartType.PERMANENT)));
        assertThat(counts(sup)).containsExactly(3, 3, 0, 3);

        terminate(sup.pid(), cpid2, How.ABNORMAL);
        events.awaitExit(cpid3); // CPid3 did die
        List<Pid> now = pids(sup);
        assertThat(now).hasSize(3).contains(cpid1).doesNotContain(cpid2, cpid3);
        assertThat(counts(sup)).containsExactly(3, 3, 0, 3);

        terminate(sup.pid(), pid(node, "child3"), How.ABNORMAL);
        terminate(sup.pid(), pid(node, "child2"), How.ABNORMAL);
        checkGaveUp(sup);
    }

    @Test
    void rest_for_one_escalation() {
        laterChildThatCannotRestartEscalates(Strategy.REST_FOR_ONE);
    }

    // ---- misc -------------------------------------------------------------------------------------

    /** child_unlink: a child that unlinked itself from its supervisor is still stopped, and the supervisor does not hang. */
    @Test
    void child_unlink() {
        Supervisor sup = startLink(Strategy.ONE_FOR_ONE, 2);
        Pid naughty = ok(sup.startChild(child("naughty_child", RestartType.PERMANENT)));
        node.unlink(naughty, sup.pid());
        sup.terminateChild("naughty_child");
        assertThat(events.awaitExit(naughty)).isEqualTo(ExitReason.SHUTDOWN);
        flushPid(sup.pid());
        assertThat(node.mailboxSize(sup.pid())).isZero();
    }

    @Test
    void tree() {
        Knobs error = knobs();
        SupervisorSpec childSup1 = SupervisorSpec.of("supchild1").withIntensity(4, HOUR)
                .withChildren(List.of(child("child1", RestartType.PERMANENT), child("child2", RestartType.PERMANENT)));
        SupervisorSpec childSup2 = SupervisorSpec.of("supchild2").withIntensity(4, HOUR);
        Supervisor top = startLink(Strategy.ONE_FOR_ALL, 4);

        Pid sup1 = ok(top.startChild(childSup1));
        Pid sup2 = ok(top.startChild(childSup2));
        assertThat(counts(top)).containsExactly(2, 2, 2, 0);
        assertThat(countsOf(sup1)).isEqualTo(new ChildCounts(2, 2, 0, 2));
        assertThat(countsOf(sup2)).isEqualTo(new ChildCounts(0, 0, 0, 0));

        // Dynamic children
        Pid cpid3 = startChildOf(sup2, child("child3", RestartType.PERMANENT, error));
        Pid cpid4 = startChildOf(sup2, child("child4", RestartType.PERMANENT));
        assertThat(countsOf(sup2)).isEqualTo(new ChildCounts(2, 2, 0, 2));

        // Only the process that dies is restarted
        Pid cpid1 = pid(node, "child1"), cpid2 = pid(node, "child2");
        terminate(sup2, cpid4, How.ABNORMAL);
        assertThat(pid(node, "child1")).isEqualTo(cpid1);
        assertThat(pid(node, "child2")).isEqualTo(cpid2);
        assertThat(pid(node, "child3")).isEqualTo(cpid3);
        assertThat(pid(node, "child4")).isNotEqualTo(cpid4);
        assertThat(countsOf(sup2)).isEqualTo(new ChildCounts(2, 2, 0, 2));

        // The supervisor tree is restarted, but not the dynamic children
        error.initFailures.set(Integer.MAX_VALUE);
        terminate(sup2, cpid3, How.ABNORMAL);
        eventually().until(() -> node.whereis("supchild2").filter(p -> !p.equals(sup2)).isPresent()
                && node.whereis("supchild1").filter(p -> !p.equals(sup1)).isPresent());
        flushPid(top.pid());
        assertThat(counts(top)).containsExactly(2, 2, 2, 0);
        assertThat(countsOf(pid(node, "supchild1"))).isEqualTo(new ChildCounts(2, 2, 0, 2));
        assertThat(countsOf(pid(node, "supchild2"))).isEqualTo(new ChildCounts(0, 0, 0, 0));
    }

    private ChildCounts countsOf(Pid supervisor) {
        return node.call(supervisor, new io.rusm.internal.supervisor.SupervisorBehavior.CountChildren(), WAIT);
    }

    private Pid startChildOf(Pid supervisor, ChildSpec spec) {
        return node.call(supervisor, new io.rusm.internal.supervisor.SupervisorBehavior.StartChild(spec), WAIT);
    }

    @Test
    void count_children() {
        Supervisor sup = startSimple(poolChild(RestartType.TEMPORARY), 2);
        for (int i = 0; i < 1000; i++) ok(sup.startChild());
        List<ChildSnapshot> children = sup.whichChildren();
        List<Integer> childCount = counts(sup);
        for (int i = 0; i < 1000; i++) ok(sup.startChild());
        List<Integer> childCount2 = counts(sup);
        List<ChildSnapshot> children2 = sup.whichChildren();
        List<Integer> childCount3 = counts(sup);
        List<ChildSnapshot> children3 = sup.whichChildren();

        assertThat(children).hasSize(1000);
        assertThat(childCount).containsExactly(1, 1000, 0, 1000);
        assertThat(children2).hasSize(2000);
        assertThat(childCount2).containsExactly(1, 2000, 0, 2000);
        assertThat(children3).containsExactlyInAnyOrderElementsOf(children2);
        assertThat(childCount3).isEqualTo(childCount2);

        for (ChildSnapshot c : children3) node.kill(c.pid());
        eventually().until(() -> counts(sup).equals(List.of(1, 0, 0, 0)));
    }

    /** Temporary children are never restarted, so their start arguments are not kept (here: they can be collected). */
    @Test
    void do_not_save_start_parameters_for_temporary_children() {
        for (RestartType type : RestartType.values()) {
            Supervisor sup = start(SupervisorSpec.simpleOneForOne("sup_" + type.configName(),
                    WorkerTemplate.of("child", args -> echo()).withRestart(type)));
            List<java.lang.ref.WeakReference<Object>> refs = new ArrayList<>();
            for (int i = 0; i < 100; i++) refs.add(startWithLargeArgs(sup));
            flushPid(sup.pid()); // the supervisor's fiber moves on from the last request it handled
            if (type == RestartType.TEMPORARY) {
                eventually().until(() -> {
                    System.gc();
                    return refs.stream().allMatch(r -> r.get() == null);
                });
            } else {
                System.gc();
                assertThat(refs).as(type + ": kept for restarts").allMatch(r -> r.get() != null);
            }
            sup.stop();
        }
    }

    /** In its own frame, so no local variable of the test keeps the arguments reachable. */
    private static java.lang.ref.WeakReference<Object> startWithLargeArgs(Supervisor sup) {
        Object largeList = new ArrayList<>(java.util.Collections.nCopies(10, "Potentially large"));
        ok(sup.startChild(largeList));
        return new java.lang.ref.WeakReference<>(largeList);
    }

    /** Temporary children's specs are not saved when they end; permanent and transient ones are, per how they ended. */
    @Test
    void do_not_save_child_specs_for_temporary_children() {
        for (Strategy strategy : List.of(Strategy.ONE_FOR_ALL, Strategy.ONE_FOR_ONE, Strategy.REST_FOR_ONE)) {
            for (How how : java.util.Arrays.asList(How.KILL, How.NORMAL, How.ABNORMAL, null /* supervisor: terminate_child */)) {
                Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(2, HOUR));
                String what = strategy + "/" + (how == null ? "supervisor" : how);
                // permanent_child_spec_saved
                WorkerSpec permanent = child("child1", RestartType.PERMANENT);
                if (how == null) alreadyPresent(sup, permanent, what);
                else restarted(sup, permanent, how, what);
                // transient_child_spec_saved
                WorkerSpec transientChild = child("child2", RestartType.TRANSIENT);
                if (how == null || how == How.NORMAL) alreadyPresent(sup, transientChild, how, what);
                else restarted(sup, transientChild, how, what);
                // temporary_child_spec_not_saved
                WorkerSpec temporary = child("child3", RestartType.TEMPORARY);
                Pid p = ok(sup.startChild(temporary));
                end(sup, p, "child3", how);
                ok(sup.startChild(temporary));
                sup.stop();
            }
        }
    }

    private void end(Supervisor sup, Pid child, String name, How how) {
        if (how == null) sup.terminateChild(name);
        else terminate(sup.pid(), child, how);
    }

    private void alreadyPresent(Supervisor sup, WorkerSpec spec, String what) {
        alreadyPresent(sup, spec, null, what);
    }

    private void alreadyPresent(Supervisor sup, WorkerSpec spec, How how, String what) {
        Pid p = ok(sup.startChild(spec));
        end(sup, p, spec.name(), how);
        error(Problem.ALREADY_PRESENT, () -> sup.startChild(spec));
        assertThat(sup.restartChild(spec.name())).as(what).isPresent();
    }

    private void restarted(Supervisor sup, WorkerSpec spec, How how, String what) {
        Pid p = ok(sup.startChild(spec));
        terminate(sup.pid(), p, how);
        // restarted by the supervisor when not terminated through the API
        error(Problem.ALREADY_STARTED, () -> sup.startChild(spec));
    }

    /** OTP-9242: adding and removing many temporary children scales linearly; 100,000 leave nothing behind. */
    @Test
    void simple_one_for_one_scale_many_temporary_children() {
        Supervisor sup = startSimple(poolChild(RestartType.TEMPORARY), 2);
        // On a shared machine single timings are noisy: the slowest small run against the fastest
        // large one still tells linear (10) from quadratic (100).
        long t1 = 0, t2 = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) t1 = Math.max(t1, startAndTerminate(sup, 1_000));
        for (int i = 0; i < 2; i++) t2 = Math.min(t2, startAndTerminate(sup, 10_000));
        if (t1 > 0) assertThat(t2 / t1).as("scaling (linear would be 10)").isLessThanOrEqualTo(50);

        long before = io.rusm.HeapAfterGc.used();
        WorkerTemplate tiny = WorkerTemplate.of("tiny", args -> echo()).withRestart(RestartType.TEMPORARY);
        Supervisor pool = start(SupervisorSpec.simpleOneForOne("pool", tiny).withIntensity(2, HOUR));
        for (int i = 0; i < 100_000; i++) {
            Pid p = ok(pool.startChild(i));
            if (i % 2 == 0) pool.terminateChild(p);
            else node.kill(p); // ended from outside: the supervisor forgets it on its exit
        }
        flushPid(pool.pid());
        eventually().until(() -> pool.countChildren().equals(new ChildCounts(1, 0, 0, 0)));
        assertThat(pool.whichChildren()).isEmpty();
        long after = io.rusm.HeapAfterGc.used();
        assertThat(after - before).as("heap kept by 100,000 ended temporary children").isLessThan(20L * 1024 * 1024);
    }

    private long startAndTerminate(Supervisor sup, int n) {
        List<Pid> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) children.add(ok(sup.startChild()));
        long t0 = System.nanoTime();
        for (Pid c : children) sup.terminateChild(c);
        return System.nanoTime() - t0;
    }


    // ---- OTP-9212: restart of a (global, here local) supervisor --------------------------------------

    /** Top (one_for_all) → middle supervisor "sup2" (one_for_all) → worker "server", all by name. */
    private Supervisor start9212() {
        SupervisorSpec middle = SupervisorSpec.of("sup2").withStrategy(Strategy.ONE_FOR_ALL).withIntensity(3, Duration.ofSeconds(60))
                .withShutdownTimeout(Duration.ofSeconds(2))
                .withChildren(List.of(worker("server").withShutdownTimeout(Duration.ofSeconds(2))));
        return start(SupervisorSpec.of("sup_test").withStrategy(Strategy.ONE_FOR_ALL).withIntensity(3, Duration.ofSeconds(60))
                .withChildren(List.of(middle)));
    }

    private void stop9212(Supervisor top) {
        node.kill(top.pid());
        eventually().until(() -> node.whereis("sup2").isEmpty() && node.whereis("server").isEmpty());
        assertThat(abnormalExits).allMatch(r -> r.equals(ExitReason.KILLED));
        abnormalExits.clear();
    }

    private void in9212(Consumer<Supervisor> scenario) {
        Supervisor top = start9212();
        Pid sup2 = pid(node, "sup2"), server = pid(node, "server");
        scenario.accept(top);
        Pid sup2b = pid(node, "sup2"), serverb = pid(node, "server");
        assertThat(top.isAlive()).as("the tree did not escalate").isTrue();
        assertThat(serverb).isNotEqualTo(server);
        assertThat(sup2b.incarnation()).isGreaterThanOrEqualTo(sup2.incarnation());
        stop9212(top);
    }

    /** kill_supervisor, kill_worker, exit_worker, restart_worker; 20 rounds of the kill (it raced 3 runs in 4). */
    @Test
    void simple_global_supervisor() {
        for (int round = 0; round < 20; round++) {
            in9212(top -> { // kill_supervisor: killing a supervisor isn't really supported, but try it anyway
                Pid sup2 = pid(node, "sup2");
                node.kill(sup2);
                eventually().until(() -> node.whereis("sup2").filter(p -> !p.equals(sup2)).isPresent() && node.whereis("server").isPresent());
                flushPid(top.pid());
            });
        }
        in9212(top -> { // kill_worker
            Pid server = pid(node, "server");
            node.kill(server);
            eventually().until(() -> node.whereis("server").filter(p -> !p.equals(server)).isPresent());
        });
        in9212(top -> { // exit_worker: the worker fails with reason normal; permanent, so it is restarted
            Pid server = pid(node, "server");
            node.call(server, STOP_NORMAL, WAIT);
            eventually().until(() -> node.whereis("server").filter(p -> !p.equals(server)).isPresent());
        });
        in9212(top -> { // restart_worker
            Pid sup2 = pid(node, "sup2");
            node.call(sup2, new io.rusm.internal.supervisor.SupervisorBehavior.TerminateChild("server"), WAIT);
            node.call(sup2, new io.rusm.internal.supervisor.SupervisorBehavior.RestartStoppedChild("server"), WAIT);
        });
    }

    // ---- OTP-9549: hanging restart loops ----------------------------------------------------------

    /**
     * supervisor_deadlock: from now on the child's starts fail (slowly); crash it and wait until the
     * supervisor is retrying, a supervisor generous enough to keep retrying.
     */
    private void enterRestartLoop(Knobs deadlock, Pid child) {
        deadlock.initFailures.set(Integer.MAX_VALUE); // fail_start = true
        int attempts = deadlock.initAttempts.get();
        assertThat(catchThrowable(() -> node.call(child, CRASH, WAIT))).isNotNull(); // supervisor_deadlock:restart_child()
        eventually().until(() -> deadlock.initAttempts.get() >= attempts + 3); // the restart loop is under way
    }

    /** A child whose restarts keep failing (slowly), with a supervisor generous enough to keep retrying. */
    @Test
    void hanging_restart_loop() {
        Knobs deadlock = knobs();
        deadlock.initFailMillis = 10;
        Supervisor sup = start(SupervisorSpec.of("sup_test").withIntensity(100_000, Duration.ofSeconds(60)));
        WorkerSpec child1 = worker("child1", deadlock).withShutdownTimeout(ChildSpec.BRUTAL_KILL);
        Pid cpid1 = ok(sup.startChild(child1));

        enterRestartLoop(deadlock, cpid1);

        error(Problem.ALREADY_PRESENT, () -> sup.startChild(child1));
        error(Problem.RESTARTING, () -> sup.restartChild("child1"));
        error(Problem.RESTARTING, () -> sup.deleteChild("child1"));
        assertThat(which(sup)).containsExactly("child1=RESTARTING");
        assertThat(counts(sup)).containsExactly(1, 0, 0, 1);

        sup.terminateChild("child1");
        SupervisionFixtures.assertCrashedWith(events.awaitExit(cpid1), SupervisionFixtures.Boom.class);
        assertThat(which(sup)).containsExactly("child1=STOPPED");

        deadlock.initFailures.set(0); // fail_start = false
        Pid cpid2 = ok(sup.restartChild("child1"));

        enterRestartLoop(deadlock, cpid2);

        // Terminating the supervisor does not hang in the restart loop and ends it shutdown.
        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
        SupervisionFixtures.assertCrashedWith(events.awaitExit(cpid2), SupervisionFixtures.Boom.class);
        assertThat(node.whereis("sup_test")).isEmpty();
        assertThat(abnormalExits).isEmpty();
    }

    @Test
    void hanging_restart_loop_simple() {
        Knobs deadlock = knobs();
        deadlock.initFailMillis = 10;
        WorkerTemplate child1 = WorkerTemplate.of("child1", args -> new Counter("child1", journal, deadlock))
                .withShutdownTimeout(ChildSpec.BRUTAL_KILL);
        Supervisor sup = start(SupervisorSpec.simpleOneForOne("sup_test", child1).withIntensity(100_000, Duration.ofSeconds(60)));
        Pid cpid1 = ok(sup.startChild());

        enterRestartLoop(deadlock, cpid1);

        error(Problem.SIMPLE_ONE_FOR_ONE, () -> sup.restartChild("child1"));
        error(Problem.SIMPLE_ONE_FOR_ONE, () -> sup.deleteChild("child1"));
        assertThat(which(sup)).containsExactly("child1=RESTARTING");
        assertThat(counts(sup)).containsExactly(1, 0, 0, 1);

        sup.terminateChild(cpid1);
        SupervisionFixtures.assertCrashedWith(events.awaitExit(cpid1), SupervisionFixtures.Boom.class);
        assertThat(sup.whichChildren()).isEmpty();

        deadlock.initFailures.set(0);
        Pid cpid2 = ok(sup.startChild());
        enterRestartLoop(deadlock, cpid2);

        assertThat(sup.stop()).isEqualTo(ExitReason.SHUTDOWN);
        SupervisionFixtures.assertCrashedWith(events.awaitExit(cpid2), SupervisionFixtures.Boom.class);
        assertThat(node.whereis("sup_test")).isEmpty();
    }

    /** sup_start_restart_child_returns_error (newer OTP): a failed manual restart answers the caller and the supervisor stays up. */
    @Test
    void sup_start_restart_child_returns_error() {
        Knobs k = knobs();
        Supervisor sup = start(SupervisorSpec.of("sup_test").withIntensity(0, HOUR));
        Pid cpid = ok(sup.startChild(child("child1", RestartType.PERMANENT, k)));
        sup.terminateChild("child1");
        events.awaitExit(cpid);
        k.initFailures.set(1);
        error(Problem.START_FAILED, () -> sup.restartChild("child1"));
        assertThat(which(sup)).containsExactly("child1=STOPPED");
        assertThat(sup.isAlive()).isTrue();
        assertThat(ok(sup.restartChild("child1"))).isEqualTo(pid(node, "child1"));
    }

    /** A transient nested supervisor that gives up exits shutdown and is not restarted (OTP: supervisors give up with shutdown). */
    @Test
    void transient_supervisor_that_gives_up_is_not_restarted() {
        Knobs k = knobs();
        SupervisorSpec inner = SupervisorSpec.of("inner").withIntensity(0, HOUR).withRestart(RestartType.TRANSIENT)
                .withChildren(List.of(worker("x", k)));
        Supervisor top = start(SupervisorSpec.of("sup_test").withIntensity(5, HOUR).withChildren(List.of(inner)));
        Pid innerPid = pid(node, "inner");
        terminate(innerPid, pid(node, "x"), How.ABNORMAL);
        assertThat(events.awaitExit(innerPid)).isEqualTo(ExitReason.SHUTDOWN);
        eventually().until(() -> which(top).equals(List.of("inner=STOPPED")));
        assertThat(node.whereis("inner")).as("not restarted").isEmpty();
        assertThat(events.of(SupervisionFixtures.SupervisionEvents.Escalated.class)).extracting(e -> e.supervisor()).containsExactly("inner");
        assertThat(top.isAlive()).isTrue();
    }
}
