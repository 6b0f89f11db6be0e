package io.rusm;

import io.rusm.TestSupport.Gate;
import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static io.rusm.TestSupport.AT_ONCE;
import static io.rusm.TestSupport.BLOCK;
import static io.rusm.TestSupport.CRASH;
import static io.rusm.TestSupport.LONG_TIMEOUT;
import static io.rusm.TestSupport.QUIT;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.assertCrashed;
import static io.rusm.TestSupport.failsAtOnce;
import static io.rusm.TestSupport.failureOf;
import static io.rusm.TestSupport.inBackground;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * SPEC "link(a, b)" and "exit(pid, kill)": two-way exit signals, exit trapping, normal exits not
 * propagating, noproc for dead pids, and kill being untrappable when sent but trappable when
 * propagated.
 */
class LinkTest extends NodeTestBase {

    private static SpawnOptions trapping() {
        return SpawnOptions.anonymous().withTrapExits(true);
    }

    @Test
    void abnormal_exit_propagates_and_the_linked_process_dies_with_the_same_reason() {
        Gate g = gate();
        Pid a = spawn("a", g);
        Recorder b = recorder();
        node.link(a, b.self());

        catchThrowable(() -> node.call("a", CRASH));

        ExitReason crash = ExitReason.crashed(g.thrown());
        assertThat(events.awaitExit(a)).isEqualTo(crash);
        assertThat(events.awaitExit(b.self())).isEqualTo(crash);
        assertThat(((ExitReason.Crashed) events.exits.get(b.self())).cause()).isSameAs(g.thrown());
        assertThat(node.isAlive(b.self())).isFalse();
    }

    @Test
    void links_are_two_way() {
        Recorder a = recorder();
        Gate g = gate();
        Pid b = spawn("b", g);
        node.link(a.self(), b);

        catchThrowable(() -> node.call("b", CRASH));

        assertThat(events.awaitExit(a.self())).isEqualTo(ExitReason.crashed(g.thrown()));
    }

    @Test
    void trapping_process_receives_an_exit_message_instead_of_dying() {
        Gate g = gate();
        Pid a = spawn("a", g);
        Recorder b = recorder(trapping());
        node.link(a, b.self());

        catchThrowable(() -> node.call("a", CRASH));

        assertThat(b.next(Exit.class)).isEqualTo(new Exit(a, ExitReason.crashed(g.thrown())));
        assertThat(node.isAlive(b.self())).isTrue();
    }

    @Test
    void trap_exits_can_be_switched_on_after_spawn() {
        Gate g = gate();
        Pid a = spawn("a", g);
        Recorder b = recorder();
        node.trapExits(b.self(), true);
        node.link(a, b.self());

        node.kill(a);

        assertThat(b.next(Exit.class)).isEqualTo(new Exit(a, ExitReason.KILLED));
        assertThat(node.isAlive(b.self())).isTrue();
    }

    @Test
    void trap_exits_on_a_dead_pid_throws_noproc() {
        Recorder r = recorder();
        node.kill(r.self());
        assertThat(catchThrowable(() -> node.trapExits(r.self(), true))).isInstanceOf(NoProcessException.class);
    }

    @Test
    void normal_exit_does_not_propagate_to_a_non_trapping_linked_process() {
        Pid a = spawn("a", gate());
        Recorder b = recorder();
        node.link(a, b.self());

        node.call("a", QUIT);

        assertThat(events.awaitExit(a)).isEqualTo(ExitReason.NORMAL);
        assertThat(node.isAlive(b.self())).isTrue();
        assertThat(b.receivedSoFar(node)).isEmpty();
    }

    @Test
    void normal_exit_reaches_a_trapping_linked_process_as_an_exit_message() {
        Pid a = spawn("a", gate());
        Recorder b = recorder(trapping());
        node.link(a, b.self());

        node.call("a", QUIT);

        assertThat(b.next(Exit.class)).isEqualTo(new Exit(a, ExitReason.NORMAL));
    }

    @Test
    void shutdown_exit_propagates_to_a_non_trapping_linked_process() {
        // Only `normal` is harmless along a link, as in OTP.
        Pid a = spawn("a", gate());
        Recorder b = recorder();
        node.link(a, b.self());

        assertThat(node.stop(a, WAIT)).isEqualTo(ExitReason.SHUTDOWN);

        assertThat(events.awaitExit(b.self())).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void link_to_a_dead_pid_kills_a_non_trapping_process_with_noproc() {
        Recorder dead = recorder();
        node.kill(dead.self());
        Recorder a = recorder();

        node.link(a.self(), dead.self());

        assertThat(events.awaitExit(a.self())).isEqualTo(ExitReason.NOPROC);
        assertThat(node.isAlive(a.self())).isFalse();
    }

    @Test
    void link_to_a_dead_pid_delivers_exit_noproc_to_a_trapping_process() {
        Recorder dead = recorder();
        node.kill(dead.self());
        Recorder a = recorder(trapping());

        node.link(a.self(), dead.self());

        assertThat(a.receivedSoFar(node)).containsExactly(new Exit(dead.self(), ExitReason.NOPROC));
        assertThat(node.isAlive(a.self())).isTrue();
    }

    @Test
    void link_from_a_dead_pid_throws_noproc() {
        Recorder dead = recorder();
        node.kill(dead.self());
        Recorder live = recorder();
        assertThat(failsAtOnce(() -> node.link(dead.self(), live.self()))).isInstanceOf(NoProcessException.class);
    }

    @Test
    void exit_killed_is_untrappable() {
        Recorder a = recorder(trapping());

        node.exit(a.self(), ExitReason.KILLED);

        assertThat(node.isAlive(a.self())).isFalse();
        assertThat(events.awaitExit(a.self())).isEqualTo(ExitReason.KILLED);
        assertThat(a.inbox).isEmpty();
    }

    @Test
    void propagated_killed_arrives_as_an_exit_message_to_a_trapping_linked_process() {
        Pid a = spawn("a", gate());
        Recorder trapper = recorder(trapping());
        Recorder plain = recorder();
        node.link(a, trapper.self());
        node.link(a, plain.self());

        node.kill(a);

        assertThat(trapper.receivedSoFar(node)).containsExactly(new Exit(a, ExitReason.KILLED));
        assertThat(node.isAlive(trapper.self())).isTrue();
        assertThat(events.awaitExit(plain.self())).as("a non-trapping linked process dies with killed")
                .isEqualTo(ExitReason.KILLED);
    }

    @Test
    void exit_signal_normal_is_ignored_by_a_non_trapping_process() {
        Recorder a = recorder();
        node.exit(a.self(), ExitReason.NORMAL);
        assertThat(node.isAlive(a.self())).isTrue();
        assertThat(a.receivedSoFar(node)).isEmpty();
    }

    @Test
    void exit_signal_with_an_abnormal_reason_ends_a_non_trapping_process_with_that_reason() {
        Recorder a = recorder();
        node.exit(a.self(), ExitReason.SHUTDOWN);
        assertThat(node.isAlive(a.self())).isFalse();
        assertThat(events.awaitExit(a.self())).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void exit_signal_to_a_trapping_process_arrives_as_an_exit_message_from_the_sender() {
        Recorder target = recorder(trapping());
        spawn("sender", m -> {
            node.exit(target.self(), ExitReason.ESCALATED);
            return ProcessContext.self();
        });

        Pid sender = node.call("sender", "go");
        node.exit(target.self(), ExitReason.NORMAL); // from the test thread: the node itself

        assertThat(target.next(Exit.class)).isEqualTo(new Exit(sender, ExitReason.ESCALATED));
        Exit fromNode = target.next(Exit.class);
        assertThat(fromNode.reason()).isEqualTo(ExitReason.NORMAL);
        assertThat(fromNode.from().node()).isEqualTo(node.name());
        assertThat(node.isAlive(target.self())).isTrue();
    }

    @Test
    void exit_signal_to_a_dead_pid_is_a_no_op() {
        Recorder a = recorder();
        node.kill(a.self());
        node.exit(a.self(), ExitReason.SHUTDOWN);
        node.kill(a.self());
        assertThat(events.awaitExit(a.self())).isEqualTo(ExitReason.KILLED);
        assertThat(events.exitedTimes(a.self())).isEqualTo(1);
    }

    @Test
    void unlink_stops_propagation_both_ways() {
        Gate g = gate();
        Pid a = spawn("a", g);
        Recorder b = recorder();
        node.link(a, b.self());
        node.unlink(b.self(), a);

        catchThrowable(() -> node.call("a", CRASH));

        events.awaitExit(a);
        assertThat(node.isAlive(b.self())).isTrue();
    }

    @Test
    void exit_propagates_along_a_chain_of_links() {
        Gate g = gate();
        Pid a = spawn("a", g);
        Recorder b = recorder();
        Recorder c = recorder();
        Recorder trapper = recorder(trapping());
        node.link(a, b.self());
        node.link(b.self(), c.self());
        node.link(c.self(), trapper.self());

        catchThrowable(() -> node.call("a", CRASH));

        ExitReason crash = ExitReason.crashed(g.thrown());
        assertThat(events.awaitExit(b.self())).isEqualTo(crash);
        assertThat(events.awaitExit(c.self())).isEqualTo(crash);
        assertThat(trapper.next(Exit.class)).isEqualTo(new Exit(c.self(), crash));
    }

    @Test
    void link_from_inside_a_handler_links_the_calling_process() {
        Gate g = gate();
        Pid a = spawn("a", g);
        Pid b = spawn("b", m -> {
            node.link((Pid) m);
            return "linked";
        });
        node.call("b", a);

        catchThrowable(() -> node.call("a", CRASH));

        assertThat(events.awaitExit(b)).isEqualTo(ExitReason.crashed(g.thrown()));
    }

    @Test
    void link_without_a_caller_outside_a_process_throws_illegal_state() {
        Recorder a = recorder();
        assertThat(catchThrowable(() -> node.link(a.self()))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void spawn_with_link_to_links_at_spawn() {
        Gate g = gate();
        Pid a = spawn("a", g);
        Pid b = node.spawn(SpawnOptions.named("b").withLinkTo(a), m -> m);

        catchThrowable(() -> node.call("a", CRASH));

        assertThat(events.awaitExit(b)).isEqualTo(ExitReason.crashed(g.thrown()));
    }

    @Test
    void spawn_linked_to_a_dead_pid_fails_and_leaves_nothing_running() {
        Recorder dead = recorder();
        node.kill(dead.self());
        int before = node.processCount();

        Throwable t = failsAtOnce(() -> node.spawn(SpawnOptions.named("b").withLinkTo(dead.self()), m -> m));

        assertThat(t).isInstanceOf(ProcessCrashedException.class);
        assertThat(((ProcessCrashedException) t).reason()).isEqualTo(ExitReason.NOPROC);
        assertThat(((ProcessCrashedException) t).pid().name()).isEqualTo("b");
        assertThat(node.whereis("b")).isEmpty();
        assertThat(node.processCount()).isEqualTo(before);
    }

    @Test
    void a_process_killed_through_a_link_fails_its_pending_callers_with_the_propagated_reason() {
        Gate a = gate();
        Pid pa = spawn("a", a);
        Gate b = gate();
        Pid pb = spawn("b", b);
        node.link(pa, pb);
        CompletableFuture<Object> callToB = inBackground(() -> node.call("b", BLOCK, LONG_TIMEOUT));
        b.awaitEntered();

        catchThrowable(() -> node.call("a", CRASH));

        assertCrashed(failureOf(callToB, AT_ONCE), pb, ExitReason.crashed(a.thrown()));
    }
}
