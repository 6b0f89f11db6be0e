package io.rusm;

import io.rusm.TestSupport.Gate;
import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.rusm.TestSupport.BLOCK;
import static io.rusm.TestSupport.CRASH;
import static io.rusm.TestSupport.LONG_TIMEOUT;
import static io.rusm.TestSupport.QUIT;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.failsAtOnce;
import static io.rusm.TestSupport.inBackground;
import static io.rusm.TestSupport.valueOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** SPEC "monitor(pid)": one-way, one {@link Down} per monitor, for any reason, noproc if already dead. */
class MonitorTest extends NodeTestBase {

    @Test
    void down_with_normal_when_the_target_stops_itself_normally() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef ref = node.monitor(w.self(), target);

        assertThat(node.<String>call("svc", QUIT)).isEqualTo("bye");

        assertThat(w.next(Down.class)).isEqualTo(new Down(ref, target, ExitReason.NORMAL));
        assertThat(ref.watcher()).isEqualTo(w.self());
        assertThat(ref.target()).isEqualTo(target);
    }

    @Test
    void down_with_the_crash_reason_when_the_target_crashes() {
        Recorder w = recorder();
        Gate g = gate();
        Pid target = spawn("svc", g);
        MonitorRef ref = node.monitor(w.self(), target);

        catchThrowable(() -> node.call("svc", CRASH));

        Down down = w.next(Down.class);
        assertThat(down).isEqualTo(new Down(ref, target, ExitReason.crashed(g.thrown())));
        assertThat(((ExitReason.Crashed) down.reason()).cause()).isSameAs(g.thrown());
    }

    @Test
    void down_with_killed_when_the_target_is_killed() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef ref = node.monitor(w.self(), target);

        node.kill(target);

        assertThat(w.next(Down.class)).isEqualTo(new Down(ref, target, ExitReason.KILLED));
    }

    @Test
    void down_with_shutdown_when_the_target_is_stopped_gracefully() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef ref = node.monitor(w.self(), target);

        node.stop(target, WAIT);

        assertThat(w.next(Down.class)).isEqualTo(new Down(ref, target, ExitReason.SHUTDOWN));
    }

    @Test
    void down_with_the_signal_reason_when_the_target_dies_of_an_exit_signal() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef ref = node.monitor(w.self(), target);

        node.exit(target, ExitReason.ESCALATED);

        assertThat(w.next(Down.class)).isEqualTo(new Down(ref, target, ExitReason.ESCALATED));
    }

    @Test
    void monitoring_a_dead_pid_delivers_down_noproc_at_once() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        node.kill(target);

        MonitorRef ref = node.monitor(w.self(), target);

        // Delivered by monitor() itself: it is in the mailbox before anything sent afterwards.
        assertThat(w.receivedSoFar(node)).containsExactly(new Down(ref, target, ExitReason.NOPROC));
    }

    @Test
    void monitoring_a_pid_that_never_existed_delivers_down_noproc_at_once() {
        Recorder w = recorder();
        Pid ghost = new Pid(node.name(), "ghost", 7);
        MonitorRef ref = node.monitor(w.self(), ghost);
        assertThat(w.receivedSoFar(node)).containsExactly(new Down(ref, ghost, ExitReason.NOPROC));
    }

    @Test
    void demonitor_stops_delivery() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef ref = node.monitor(w.self(), target);

        assertThat(node.demonitor(ref)).isTrue();
        node.kill(target); // kill notifies monitors before it returns

        assertThat(w.receivedSoFar(node)).isEmpty();
        assertThat(node.demonitor(ref)).as("nothing left to remove").isFalse();
    }

    @Test
    void demonitor_removes_only_that_monitor() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef removed = node.monitor(w.self(), target);
        MonitorRef kept = node.monitor(w.self(), target);

        node.demonitor(removed);
        node.kill(target);

        assertThat(w.receivedSoFar(node)).containsExactly(new Down(kept, target, ExitReason.KILLED));
    }

    @Test
    void each_monitor_gets_its_own_down_with_its_own_ref() {
        Recorder w1 = recorder();
        Recorder w2 = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef a = node.monitor(w1.self(), target);
        MonitorRef b = node.monitor(w1.self(), target);
        MonitorRef c = node.monitor(w2.self(), target);
        assertThat(Set.of(a, b, c)).hasSize(3);

        node.kill(target);

        assertThat(w1.receivedSoFar(node)).containsExactlyInAnyOrder(
                new Down(a, target, ExitReason.KILLED), new Down(b, target, ExitReason.KILLED));
        assertThat(w2.receivedSoFar(node)).containsExactly(new Down(c, target, ExitReason.KILLED));
    }

    @Test
    void down_is_delivered_once_even_if_the_target_is_killed_again() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        MonitorRef ref = node.monitor(w.self(), target);
        node.kill(target);
        node.kill(target);
        node.exit(target, ExitReason.SHUTDOWN);
        assertThat(w.receivedSoFar(node)).containsExactly(new Down(ref, target, ExitReason.KILLED));
    }

    @Test
    void monitor_is_one_way_the_watchers_death_does_not_touch_the_target() {
        Recorder w = recorder();
        Recorder target = recorder();
        node.monitor(w.self(), target.self());

        node.kill(w.self());

        assertThat(node.isAlive(target.self())).isTrue();
        assertThat(target.receivedSoFar(node)).isEmpty();
    }

    @Test
    void monitor_from_inside_a_handler_watches_from_the_calling_process() {
        Recorder w = new Recorder();
        Pid target = spawn("target", gate());
        Pid watcher = spawn("watcher", message -> message instanceof Pid p ? node.monitor(p) : w.handle(message));

        MonitorRef ref = node.call("watcher", target);
        node.kill(target);

        assertThat(ref.watcher()).isEqualTo(watcher);
        assertThat(w.next(Down.class)).isEqualTo(new Down(ref, target, ExitReason.KILLED));
    }

    @Test
    void monitor_without_a_watcher_outside_a_process_throws_illegal_state() {
        Pid target = spawn("svc", gate());
        assertThat(catchThrowable(() -> node.monitor(target))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void monitor_by_a_dead_watcher_throws_noproc() {
        Recorder w = recorder();
        Pid target = spawn("svc", gate());
        node.kill(w.self());
        assertThat(failsAtOnce(() -> node.monitor(w.self(), target))).isInstanceOf(NoProcessException.class);
    }

    @Test
    void down_reaches_a_watcher_whose_mailbox_is_full() {
        Gate watcherGate = gate();
        Pid watcher = node.spawn(SpawnOptions.named("watcher").withMailboxCapacity(1), watcherGate);
        CompletableFuture<Object> blocked = inBackground(() -> node.call("watcher", BLOCK, LONG_TIMEOUT));
        watcherGate.awaitEntered();
        node.send("watcher", "fill");
        await().atMost(WAIT).until(() -> node.mailboxSize(watcher) == 1);
        assertThat(catchThrowable(() -> node.send("watcher", "over"))).isInstanceOf(MailboxFullException.class);

        Pid target = spawn("target", gate());
        MonitorRef ref = node.monitor(watcher, target);
        node.kill(target);

        watcherGate.open();
        assertThat(valueOf(blocked)).isEqualTo("released");
        // The Down went past the capacity: let the mailbox drain before the next (capacity-bound) call.
        await().atMost(WAIT).until(() -> node.mailboxSize(watcher) == 0);
        assertThat(node.<String>call("watcher", "sync")).isEqualTo("re:sync");
        assertThat(watcherGate.handled).isEqualTo(List.of(BLOCK, "fill", new Down(ref, target, ExitReason.KILLED), "sync"));
    }
}
