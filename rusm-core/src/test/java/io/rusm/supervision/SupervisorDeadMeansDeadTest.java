package io.rusm.supervision;

import io.rusm.Behavior;
import io.rusm.CallTimeoutException;
import io.rusm.ChildSnapshot;
import io.rusm.ChildStatus;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.supervision.SupervisionFixtures.Knobs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static io.rusm.supervision.SupervisionFixtures.GET;
import static io.rusm.supervision.SupervisionFixtures.LONG_PERIOD;
import static io.rusm.supervision.SupervisionFixtures.WAIT;
import static io.rusm.supervision.SupervisionFixtures.awaitLatch;
import static io.rusm.supervision.SupervisionFixtures.eventually;
import static io.rusm.supervision.SupervisionFixtures.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The supervision items of "Dead means dead" (issue 12): on-demand starts bounded by the caller's
 * timeout (item 4), a resident child calling an on-demand sibling while it starts (item 5), live
 * snapshots after a kill (item 11), and a node that forgets supervisors that are gone (item 8).
 * Item 9 (a transient nested supervisor that gives up is not restarted) is
 * {@code OtpSupervisorSuiteTest.transient_supervisor_that_gives_up_is_not_restarted}.
 */
class SupervisorDeadMeansDeadTest extends SupervisionTestBase {

    /** Holds the supervisor inside the restart of {@code slow}, whose next init waits at a gate. */
    private CountDownLatch holdSupervisorInRestart(Knobs slowKnobs) {
        CountDownLatch gate = new CountDownLatch(1);
        slowKnobs.initGate = gate;
        node.kill(pid(node, "slow"));
        awaitLatch(slowKnobs.initWaiting, "the supervisor is inside slow's restart");
        slowKnobs.initGate = null;
        return gate;
    }

    private Supervisor slowAndLazy(Knobs slowKnobs, int intensity, WorkerSpec... more) {
        List<WorkerSpec> children = new java.util.ArrayList<>(List.of(worker("slow", slowKnobs), worker("lazy").withResident(false)));
        children.addAll(List.of(more));
        return start(SupervisorSpec.of("sup").withIntensity(intensity, LONG_PERIOD).withChildren(children));
    }

    /** Item 4: a supervisor busy in a slow child init does not hold an on-demand caller past its own timeout. */
    @Test
    void onDemandStartIsBoundedByTheCallersTimeoutAndNamesTheCallee() {
        Knobs slowKnobs = knobs();
        slowAndLazy(slowKnobs, 5);
        CountDownLatch gate = holdSupervisorInRestart(slowKnobs);

        long t0 = System.nanoTime();
        Throwable t = catchThrowable(() -> node.call("lazy", GET, Duration.ofMillis(200)));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(t).isInstanceOf(CallTimeoutException.class).hasMessageContaining("lazy").hasMessageNotContaining("sup");
        assertThat(took).as("the caller's 200 ms, not the supervisor's busy time").isLessThan(Duration.ofMillis(1200));
        gate.countDown();
        // Once the supervisor is free, the child starts on demand as usual.
        assertThat((Object) node.call("lazy", GET, WAIT)).isEqualTo(0L);
    }

    /** Item 4: an on-demand call queued at a supervisor that then gives up gets NoProcessException, naming the callee. */
    @Test
    void onDemandCallWhileTheSupervisorGivesUpIsNoProcess() {
        Knobs slowKnobs = knobs();
        Supervisor sup = slowAndLazy(slowKnobs, 1, worker("c"));
        CountDownLatch gate = holdSupervisorInRestart(slowKnobs); // restart 1 of 1
        node.kill(pid(node, "c")); // its exit waits in the supervisor's mailbox: restart 2 of 1, the supervisor will give up
        eventually().until(() -> node.mailboxSize(sup.pid()) >= 1);
        CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> node.call("lazy", GET, WAIT));
        eventually().until(() -> node.mailboxSize(sup.pid()) >= 2);

        gate.countDown();

        assertThat(call).failsWithin(WAIT).withThrowableThat().havingCause()
                .isInstanceOf(NoProcessException.class).withMessageContaining("lazy");
        awaitEscalated(sup);
        assertThat(catchThrowable(() -> node.call("lazy", GET, WAIT))).isInstanceOf(NoProcessException.class);
    }

    /** Item 5: a resident child whose init calls an on-demand sibling fails at once, naming both, instead of deadlocking. */
    @Test
    void residentChildCallingAnOnDemandSiblingWhileStartingFailsAtOnceNamingBoth() {
        WorkerSpec caller = WorkerSpec.of("caller", () -> new Behavior() {
            @Override
            public void init() {
                node.call("lazy", GET); // the node's default timeout: the old deadlock lasted that long
            }

            @Override
            public Object handle(Object message) {
                return message;
            }
        });
        long t0 = System.nanoTime();
        Throwable t = catchThrowable(() -> start(SupervisorSpec.of("sup").withChildren(List.of(worker("lazy").withResident(false), caller))));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(t).hasMessageContaining("'caller'").hasMessageContaining("'lazy'");
        assertThat(took).as("at once, not after a call timeout").isLessThan(Duration.ofSeconds(2));
        assertThat(node.processCount()).isZero();
    }

    /** Item 11: after a supervisor is killed its snapshot shows nothing under it running, however deep. */
    @Test
    void snapshotAfterTheSupervisorIsKilledShowsNoChildRunning() {
        SupervisorSpec inner = SupervisorSpec.of("inner").withChildren(List.of(worker("x"), worker("y")));
        Supervisor root = start(SupervisorSpec.of("root").withChildren(List.of(worker("a"), inner, worker("lazy").withResident(false))));
        Pid rootPid = root.pid();

        node.kill(rootPid);
        eventually().until(() -> node.processCount() == 0);

        ChildSnapshot.Supervisor snap = root.snapshot();
        assertThat(snap.pid()).isNull();
        assertThat(snap.status()).isNotEqualTo(ChildStatus.RUNNING);
        assertNothingRuns(snap);
    }

    private static void assertNothingRuns(ChildSnapshot.Supervisor s) {
        for (ChildSnapshot c : s.children()) {
            assertThat(c.pid()).as(c.name()).isNull();
            assertThat(c.status()).as(c.name()).isIn(ChildStatus.STOPPED, ChildStatus.ESCALATED);
            if (c instanceof ChildSnapshot.Supervisor n) assertNothingRuns(n);
        }
    }

    /** Item 8: 20,000 top-level supervisors started and stopped leave nothing listed and no on-demand entries. */
    @Test
    void topLevelSupervisorsThatEndedAreForgotten() {
        long before = io.rusm.HeapAfterGc.used();
        for (int i = 0; i < 20_000; i++) {
            Supervisor s = node.startSupervisor(SupervisorSpec.of("sup-" + i).withChildren(List.of(
                    WorkerSpec.of("lazy-" + i, SupervisorDeadMeansDeadTest::echo).withResident(false))));
            if (i % 2 == 0) s.stop();
            else node.kill(s.pid());
        }
        eventually().until(() -> node.supervisors().isEmpty());
        assertThat(node.onDemandChildren()).isZero();
        assertThat(catchThrowable(() -> node.call("lazy-7", GET, WAIT))).isInstanceOf(NoProcessException.class);
        long grown = io.rusm.HeapAfterGc.used() - before;
        assertThat(grown).as("heap kept for 20,000 ended supervisors").isLessThan(15L * 1024 * 1024);
    }

    private static Behavior echo() {
        return message -> message;
    }

}
