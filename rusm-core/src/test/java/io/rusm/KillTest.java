package io.rusm;

import io.rusm.TestSupport.Recorder;
import io.rusm.TestSupport.Spinner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rusm.TestSupport.AT_ONCE;
import static io.rusm.TestSupport.LONG_TIMEOUT;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.assertCrashed;
import static io.rusm.TestSupport.awaitLatch;
import static io.rusm.TestSupport.failsAtOnce;
import static io.rusm.TestSupport.failureOf;
import static io.rusm.TestSupport.inBackground;
import static io.rusm.TestSupport.valueOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SPEC "exit(pid, kill) is untrappable: the process is dead at once for everyone (mailbox closed,
 * pending callers failed, monitors/links notified), even if its handler code ignores interruption."
 */
class KillTest extends NodeTestBase {

    @Test
    void kill_makes_a_process_that_ignores_interruption_dead_at_once_for_everyone() {
        Spinner s = new Spinner();
        Pid pid = node.spawn(SpawnOptions.named("spinner").withTrapExits(true), s);
        Recorder watcher = recorder();
        MonitorRef ref = node.monitor(watcher.self(), pid);
        Recorder linked = recorder(SpawnOptions.anonymous().withTrapExits(true));
        node.link(pid, linked.self());
        try {
            CompletableFuture<Object> inFlight = inBackground(() -> node.call("spinner", "spin", LONG_TIMEOUT));
            awaitLatch(s.entered, "handler spinning");
            List<CompletableFuture<Object>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                queued.add(inBackground(() -> node.call("spinner", "q" + n, LONG_TIMEOUT)));
            }
            await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 3);

            node.kill(pid);

            // Dead for the registry the moment kill returns.
            assertThat(node.isAlive(pid)).isFalse();
            assertThat(node.whereis("spinner")).isEmpty();
            assertThat(node.mailboxSize(pid)).isZero();
            // Pending callers, in flight and queued, fail at once with killed.
            assertCrashed(failureOf(inFlight, AT_ONCE), pid, ExitReason.KILLED);
            for (CompletableFuture<Object> q : queued) assertCrashed(failureOf(q, AT_ONCE), pid, ExitReason.KILLED);
            // New calls and sends find no process.
            assertThat(failsAtOnce(() -> node.call("spinner", "x", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
            assertThat(failsAtOnce(() -> node.call(pid, "x", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
            node.send(pid, "dropped");
            assertThat(events.droppedMessage("dropped")).isTrue();
            // Monitors and links were told, even though it traps exits (kill is untrappable).
            assertThat(watcher.receivedSoFar(node)).containsExactly(new Down(ref, pid, ExitReason.KILLED));
            assertThat(linked.receivedSoFar(node)).containsExactly(new Exit(pid, ExitReason.KILLED));
            assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.KILLED);
            // The name is free for a new incarnation at once.
            Pid next = spawn("spinner", m -> "next:" + m);
            assertThat(next.incarnation()).isGreaterThan(pid.incarnation());
            assertThat(node.<String>call("spinner", "x")).isEqualTo("next:x");

            // ...and all of that happened while the killed handler was still spinning.
            assertThat(s.left.getCount()).as("killed handler still running").isEqualTo(1);
            long turns = s.turns.get();
            await().atMost(WAIT).until(() -> s.turns.get() > turns);
        } finally {
            s.spinning = false;
        }
        awaitLatch(s.left, "spinner leaves once the flag is flipped");
        // The handler's return value went nowhere and the old incarnation stayed dead.
        assertThat(node.isAlive(pid)).isFalse();
        assertThat(s.terminated.get()).as("terminate() is not run after a kill").isNull();
        assertThat(events.exitedTimes(pid)).isEqualTo(1);
    }

    @Test
    void kill_of_a_process_blocked_in_an_interruptible_wait_ends_it_as_killed_not_crashed() {
        var g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", TestSupport.BLOCK, LONG_TIMEOUT));
        g.awaitEntered();

        node.kill(pid);

        assertCrashed(failureOf(inFlight, AT_ONCE), pid, ExitReason.KILLED);
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.KILLED);
        assertThat(g.handled).doesNotContain("terminate");
    }

    @Test
    void kill_of_an_idle_process_is_immediate() {
        Recorder r = recorder();
        node.kill(r.self());
        assertThat(node.isAlive(r.self())).isFalse();
        assertThat(node.processCount()).isZero();
        // Listeners hear of it on rusm's own event thread, never delaying the kill itself.
        assertThat(events.awaitExit(r.self())).isEqualTo(ExitReason.KILLED);
    }

    @Test
    void process_killing_itself_fails_its_own_caller_with_killed() {
        Pid pid = spawn("self-killer", m -> {
            node.kill(ProcessContext.self());
            return "never delivered";
        });
        Throwable t = failsAtOnce(() -> node.call("self-killer", "x", LONG_TIMEOUT));
        assertCrashed(t, pid, ExitReason.KILLED);
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.KILLED);
    }

    @Test
    void kill_of_a_process_whose_handler_ignores_interruption_frees_its_caller_even_if_the_handler_later_returns() {
        Spinner s = new Spinner();
        Pid pid = spawn("spinner", s);
        try {
            CompletableFuture<Object> call = inBackground(() -> node.call("spinner", "spin", LONG_TIMEOUT));
            awaitLatch(s.entered, "handler spinning");
            node.kill(pid);
            s.spinning = false;
            awaitLatch(s.left, "handler returned");
            assertCrashed(failureOf(call, AT_ONCE), pid, ExitReason.KILLED);
        } finally {
            s.spinning = false;
        }
    }

    @Test
    void kill_of_a_dead_or_unknown_pid_is_a_no_op() {
        Recorder r = recorder();
        node.kill(r.self());
        node.kill(r.self());
        node.kill(new Pid(node.name(), "ghost", 1));
        events.awaitExit(r.self());
        assertThat(events.exitedTimes(r.self())).isEqualTo(1);
    }

    @Test
    void a_calling_process_that_is_killed_stops_waiting_for_its_reply() {
        var g = gate();
        spawn("slow", g);
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Pid caller = spawn("caller", m -> {
            try {
                return node.call("slow", TestSupport.BLOCK, LONG_TIMEOUT);
            } catch (RuntimeException e) {
                outcome.complete(e);
                throw e;
            }
        });
        node.send("caller", "go");
        g.awaitEntered();

        node.kill(caller);

        assertThat(valueOf(outcome)).isInstanceOf(CallInterruptedException.class);
        assertThat(node.whereis("slow")).as("the callee is not affected").isPresent();
    }
}
