package io.rusm.supervision;

import io.rusm.ChildSnapshot;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.RestartType;
import io.rusm.Strategy;
import io.rusm.Supervisor;
import io.rusm.SupervisorSpec;
import io.rusm.supervision.SupervisionFixtures.Boom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.rusm.supervision.SupervisionFixtures.CRASH;
import static io.rusm.supervision.SupervisionFixtures.LONG_PERIOD;
import static io.rusm.supervision.SupervisionFixtures.STOP_NORMAL;
import static io.rusm.supervision.SupervisionFixtures.STOP_SHUTDOWN;
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
 * Each strategy × each restart type × each way a child can end, after OTP's
 * {@code permanent_normal}, {@code transient_abnormal}, {@code temporary_shutdown}, ...,
 * {@code one_for_one}, {@code one_for_all}, {@code rest_for_one} and {@code temporary_bystander}.
 *
 * <p>The supervisor has children {@code a}, {@code b}, {@code c} (in that order); {@code b} has the
 * restart type under test and is the one that ends, {@code a} and {@code c} are permanent. Before
 * {@code b} ends, each child counts to a different value, so a restarted child is recognised by its
 * reset count and an untouched one by its kept count and pid.
 */
class SupervisorRestartMatrixTest extends SupervisionTestBase {

    /** How the child under test ends. */
    enum End {
        /** It stops itself with {@code normal}. */
        NORMAL,
        /** It stops itself with {@code shutdown}. */
        SHUTDOWN,
        /** A handler throws: {@code crashed}. */
        CRASH,
        /** Someone kills it: {@code killed}. */
        KILL
    }

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (Strategy s : List.of(Strategy.ONE_FOR_ONE, Strategy.ONE_FOR_ALL, Strategy.REST_FOR_ONE))
            for (RestartType t : RestartType.values())
                for (End e : End.values()) out.add(Arguments.of(s, t, e));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} child ends with {2}")
    @MethodSource("matrix")
    void childEnds(Strategy strategy, RestartType type, End end) {
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(10, LONG_PERIOD)
                .withChildren(List.of(worker("a"), worker("b").withRestart(type), worker("c"))));
        Pid a0 = pid(node, "a"), b0 = pid(node, "b"), c0 = pid(node, "c");
        bump(node, "a", 1);
        bump(node, "b", 2);
        bump(node, "c", 3);
        int mark = journal.mark();

        // What OTP does: permanent always restarts, transient only after an abnormal end, temporary never.
        boolean abnormal = end == End.CRASH || end == End.KILL;
        boolean bRestarts = type == RestartType.PERMANENT || (type == RestartType.TRANSIENT && abnormal);
        boolean aRestarts = bRestarts && strategy == Strategy.ONE_FOR_ALL;
        boolean cRestarts = bRestarts && strategy != Strategy.ONE_FOR_ONE;

        end(b0, end);

        if (type == RestartType.TEMPORARY) {
            // OTP deletes a temporary child that ended: it is no longer listed at all.
            eventually().until(() -> sup.snapshot().children().stream().noneMatch(ch -> ch.name().equals("b")));
            flush(node, "sup");
            assertThat(node.whereis("b")).as("b is not restarted").isEmpty();
            assertThatThrownBy(() -> node.call("b", SupervisionFixtures.GET, WAIT)).isInstanceOf(NoProcessException.class);
        } else {
            eventually().until(() -> {
                ChildSnapshot b = child(sup, "b");
                return b.lastExitReason() != null && b.status() == (bRestarts ? ChildStatus.RUNNING : ChildStatus.STOPPED);
            });
            flush(node, "sup");

            ChildSnapshot b = child(sup, "b");
            switch (end) {
                case NORMAL -> assertThat(b.lastExitReason()).isEqualTo(ExitReason.NORMAL);
                case SHUTDOWN -> assertThat(b.lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
                case CRASH -> assertCrashedWith(b.lastExitReason(), Boom.class);
                case KILL -> assertThat(b.lastExitReason()).isEqualTo(ExitReason.KILLED);
            }
            if (bRestarts) {
                Pid b1 = pid(node, "b");
                assertThat(b1.incarnation()).as("b's new incarnation").isEqualTo(b0.incarnation() + 1);
                assertThat(b.pid()).isEqualTo(b1);
                assertThat(b.status()).isEqualTo(ChildStatus.RUNNING);
                assertThat(b.restarts()).isEqualTo(1);
                assertThat(count(node, "b")).as("b's state is fresh").isZero();
            } else {
                assertThat(node.whereis("b")).as("b is not restarted").isEmpty();
                assertThat(b.pid()).isNull();
                assertThat(b.status()).isEqualTo(ChildStatus.STOPPED);
                assertThat(b.restarts()).isZero();
                assertThatThrownBy(() -> node.call("b", SupervisionFixtures.GET, WAIT)).isInstanceOf(NoProcessException.class);
            }
        }
        assertSibling(sup, "a", a0, 1, aRestarts);
        assertSibling(sup, "c", c0, 3, cRestarts);
        assertThat(sup.isAlive()).isTrue();
        assertThat(abnormalExits).isEmpty();

        // Lifecycle order: siblings stop in reverse start order, then everything restarts in start order.
        List<String> expected = new ArrayList<>();
        if (!abnormal) expected.add("terminate:b"); // b ran its own stop hook on its way out
        if (bRestarts) {
            switch (strategy) {
                case ONE_FOR_ONE -> expected.add("init:b");
                case ONE_FOR_ALL -> expected.addAll(List.of("terminate:c", "terminate:a", "init:a", "init:b", "init:c"));
                case REST_FOR_ONE -> expected.addAll(List.of("terminate:c", "init:b", "init:c"));
            }
        }
        assertThat(journal.since(mark)).isEqualTo(expected);

        // Restart events name the supervisor and the new incarnations, in start order.
        List<String> restarted = new ArrayList<>();
        for (var r : events.of(SupervisionFixtures.SupervisionEvents.Restarted.class)) {
            assertThat(r.supervisor()).isEqualTo("sup");
            assertThat(r.pid().incarnation()).isEqualTo(2);
            restarted.add(r.pid().name());
        }
        List<String> expectedRestarts = new ArrayList<>();
        if (aRestarts) expectedRestarts.add("a");
        if (bRestarts) expectedRestarts.add("b");
        if (cRestarts) expectedRestarts.add("c");
        assertThat(restarted).isEqualTo(expectedRestarts);
    }

    private void end(Pid b, End end) {
        switch (end) {
            case NORMAL -> assertThat((Object) node.call(b, STOP_NORMAL, WAIT)).isEqualTo("bye");
            case SHUTDOWN -> assertThat((Object) node.call(b, STOP_SHUTDOWN, WAIT)).isEqualTo("bye");
            case CRASH -> assertThatThrownBy(() -> node.call(b, CRASH, WAIT))
                    .isInstanceOfSatisfying(ProcessCrashedException.class, e -> {
                        assertThat(e.pid()).isEqualTo(b);
                        assertCrashedWith(e.reason(), Boom.class);
                    });
            case KILL -> node.kill(b);
        }
    }

    private void assertSibling(Supervisor sup, String name, Pid old, long count, boolean restarted) {
        ChildSnapshot s = child(sup, name);
        assertThat(s.status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(s.pid()).isEqualTo(pid(node, name));
        if (restarted) {
            assertThat(s.pid().incarnation()).as(name + " restarted").isEqualTo(old.incarnation() + 1);
            assertThat(s.restarts()).isEqualTo(1);
            assertThat(s.lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(count(node, name)).as(name + "'s state is fresh").isZero();
        } else {
            assertThat(s.pid()).as(name + " untouched").isEqualTo(old);
            assertThat(s.restarts()).isZero();
            assertThat(s.lastExitReason()).isNull();
            assertThat(count(node, name)).as(name + "'s state is kept").isEqualTo(count);
        }
    }

    /**
     * OTP's {@code temporary_bystander}: when a sibling's crash restarts a group, a temporary child
     * in the group is stopped and not brought back.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Strategy.class, names = {"ONE_FOR_ALL", "REST_FOR_ONE"})
    void temporaryBystanderIsStoppedNotRestarted(Strategy strategy) {
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(strategy).withIntensity(10, LONG_PERIOD)
                .withChildren(List.of(worker("p"), worker("t").withRestart(RestartType.TEMPORARY))));
        Pid p0 = pid(node, "p");
        Pid t0 = pid(node, "t");
        int mark = journal.mark();

        assertThatThrownBy(() -> node.call(p0, CRASH, WAIT)).isInstanceOf(ProcessCrashedException.class);

        awaitNewIncarnation(node, "p", p0);
        flush(node, "sup");
        assertThat(events.awaitExit(t0)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(node.whereis("t")).isEmpty();
        assertThat(sup.snapshot().children()).as("OTP drops a temporary bystander").extracting(ChildSnapshot::name).containsExactly("p");
        assertThat(child(sup, "p").status()).isEqualTo(ChildStatus.RUNNING);
        assertThat(child(sup, "p").restarts()).isEqualTo(1);
        assertThat(journal.since(mark)).containsExactly("terminate:t", "init:p");
    }

    /** A temporary child that crashed stays down even when a later sibling crash restarts the group. */
    @Test
    void temporaryChildThatEndedStaysDownWhenTheGroupRestarts() {
        Supervisor sup = start(SupervisorSpec.of("sup").withStrategy(Strategy.ONE_FOR_ALL).withIntensity(10, LONG_PERIOD)
                .withChildren(List.of(worker("t").withRestart(RestartType.TEMPORARY), worker("p"))));
        node.kill(pid(node, "t"));
        eventually().until(() -> sup.snapshot().children().size() == 1);
        Pid p0 = pid(node, "p");
        node.kill(p0);
        awaitNewIncarnation(node, "p", p0);
        flush(node, "sup");
        assertThat(node.whereis("t")).isEmpty();
        assertThat(sup.snapshot().children()).extracting(ChildSnapshot::name).containsExactly("p");
    }
}
