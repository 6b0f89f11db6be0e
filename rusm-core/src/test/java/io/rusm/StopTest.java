package io.rusm;

import io.rusm.TestSupport.Boom;
import io.rusm.TestSupport.Gate;
import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

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
import static io.rusm.TestSupport.valueOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Graceful stop ({@code node.stop(pid, timeout)}, {@code shutdown}) and stopping from inside:
 * refuse new messages, drain the queued ones, run {@code terminate()}, end with shutdown; kill at the
 * deadline; {@code terminate()} never after a crash or a kill.
 */
class StopTest extends NodeTestBase {

    private boolean mailboxClosed(Pid pid) {
        var p = node.runtime().byPid(pid);
        return p != null && p.mailbox().isClosed();
    }

    @Test
    void stop_refuses_new_messages_drains_the_queued_ones_then_runs_terminate_and_ends_with_shutdown() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        Recorder watcher = recorder();
        MonitorRef ref = node.monitor(watcher.self(), pid);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        node.send("svc", "q1");
        node.send("svc", "q2");
        CompletableFuture<Object> queuedCall = inBackground(() -> node.call("svc", "q3", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 3);

        CompletableFuture<Object> stop = inBackground(() -> node.stop(pid, LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> mailboxClosed(pid));

        // New messages are refused while it drains.
        assertThat(failsAtOnce(() -> node.call("svc", "late", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
        assertThat(failsAtOnce(() -> node.call(pid, "late", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
        node.send("svc", "late-send");
        assertThat(events.droppedMessage("late-send")).isTrue();
        assertThat(stop).isNotDone();

        g.open();

        assertThat(valueOf(stop)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(valueOf(inFlight)).isEqualTo("released");
        assertThat(valueOf(queuedCall)).as("queued calls still get their reply").isEqualTo("re:q3");
        assertThat(g.handled).containsExactly(BLOCK, "q1", "q2", "q3", "terminate");
        assertThat(node.isAlive(pid)).isFalse();
        assertThat(watcher.next(Down.class)).isEqualTo(new Down(ref, pid, ExitReason.SHUTDOWN));
    }

    @Test
    void stop_of_an_idle_process_runs_terminate_and_returns_shutdown() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        assertThat(node.stop(pid, WAIT)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(g.handled).containsExactly("terminate");
        assertThat(node.whereis("svc")).isEmpty();
        assertThat(events.exits.get(pid)).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void stop_kills_a_process_that_ignores_its_drain_deadline_and_still_returns_in_bounded_time() {
        Gate g = stubbornGate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        CompletableFuture<Object> queued = inBackground(() -> node.call("svc", "q", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 1);
        Duration deadline = Duration.ofMillis(300);

        long t0 = System.nanoTime();
        ExitReason how = node.stop(pid, deadline);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(how).isEqualTo(ExitReason.KILLED);
        assertThat(took).as("stop returns at its deadline, not whenever the handler returns")
                .isLessThan(deadline.plus(AT_ONCE));
        assertThat(node.isAlive(pid)).isFalse();
        assertCrashed(failureOf(inFlight, AT_ONCE), pid, ExitReason.KILLED);
        assertCrashed(failureOf(queued, AT_ONCE), pid, ExitReason.KILLED);
        g.open();
        assertThat(g.handled).containsExactly(BLOCK); // neither the queued call nor terminate()
    }

    @Test
    void stop_of_a_dead_pid_returns_noproc() {
        Pid pid = spawn("svc", gate());
        node.kill(pid);
        assertThat(node.stop(pid, WAIT)).isEqualTo(ExitReason.NOPROC);
    }

    @Test
    void terminate_is_not_run_after_a_crash() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        catchThrowable(() -> node.call("svc", CRASH));
        events.awaitExit(pid);
        assertThat(g.handled).containsExactly(CRASH);
    }

    @Test
    void terminate_is_not_run_after_a_kill() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        node.kill(pid);
        assertThat(node.stop(pid, WAIT)).isEqualTo(ExitReason.NOPROC);
        assertThat(g.handled).isEmpty();
    }

    @Test
    void terminate_throwing_ends_the_process_as_crashed() {
        Boom boom = new Boom("terminate failed");
        Pid pid = spawn("svc", new Behavior() {
            @Override
            public Object handle(Object message) {
                return message;
            }

            @Override
            public void terminate() {
                throw boom;
            }
        });
        assertThat(node.stop(pid, WAIT)).isEqualTo(ExitReason.crashed(boom));
    }

    @Test
    void stopSelf_normal_lets_the_reply_through_drains_what_was_queued_runs_terminate_and_exits_normal() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> blocked = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        CompletableFuture<Object> quit = inBackground(() -> node.call("svc", QUIT, LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 1);
        CompletableFuture<Object> after = inBackground(() -> node.call("svc", "after", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 2);

        g.open();

        assertThat(valueOf(blocked)).isEqualTo("released");
        assertThat(valueOf(quit)).isEqualTo("bye");
        assertThat(valueOf(after)).as("queued before the stop: still handled").isEqualTo("re:after");
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.NORMAL);
        assertThat(g.handled).containsExactly(BLOCK, QUIT, "after", "terminate");
        assertThat(failsAtOnce(() -> node.call("svc", "x", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
    }

    @Test
    void stopSelf_with_an_abnormal_reason_ends_at_once_after_the_reply_without_terminate() {
        Boom why = new Boom("giving up");
        List<Object> handled = new CopyOnWriteArrayList<>();
        Gate g = gate();
        Pid pid = spawn("svc", new Behavior() {
            @Override
            public Object handle(Object message) throws Exception {
                handled.add(message);
                if (message.equals("give-up")) {
                    ProcessContext.stopSelf(ExitReason.crashed(why));
                    return "given up";
                }
                return g.handle(message);
            }

            @Override
            public void terminate() {
                handled.add("terminate");
            }
        });
        CompletableFuture<Object> blocked = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        CompletableFuture<Object> giveUp = inBackground(() -> node.call("svc", "give-up", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 1);
        CompletableFuture<Object> queued = inBackground(() -> node.call("svc", "queued", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 2);

        g.open();

        assertThat(valueOf(blocked)).isEqualTo("released");
        assertThat(valueOf(giveUp)).as("its own reply is still delivered").isEqualTo("given up");
        assertCrashed(failureOf(queued, AT_ONCE), pid, ExitReason.crashed(why));
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.crashed(why));
        assertThat(handled).containsExactly(BLOCK, "give-up");
    }

    @Test
    void self_inside_a_handler_is_the_pid_of_the_process_and_fails_outside_any_process() {
        Pid pid = spawn("svc", m -> List.of(ProcessContext.self(), ProcessContext.inProcess()));
        assertThat(node.<List<Object>>call("svc", "who")).containsExactly(pid, true);
        assertThat(ProcessContext.inProcess()).isFalse();
        assertThat(catchThrowable(ProcessContext::self)).isInstanceOf(IllegalStateException.class);
        assertThat(catchThrowable(() -> ProcessContext.stopSelf(ExitReason.NORMAL))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shutdown_stops_every_process_gracefully_and_kills_stragglers_at_the_deadline() {
        List<Gate> polite = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Gate g = gate();
            polite.add(g);
            spawn("polite-" + i, g);
        }
        Gate stubborn = stubbornGate();
        Pid stuck = spawn("stuck", stubborn);
        inBackground(() -> node.call("stuck", BLOCK, LONG_TIMEOUT));
        stubborn.awaitEntered();

        long t0 = System.nanoTime();
        node.shutdown(Duration.ofMillis(300));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(took).isLessThan(Duration.ofMillis(300).plus(AT_ONCE));
        assertThat(node.processCount()).isZero();
        for (Gate g : polite) assertThat(g.handled).containsExactly("terminate");
        assertThat(events.awaitExit(stuck)).isEqualTo(ExitReason.KILLED);
        assertThat(stubborn.handled).doesNotContain("terminate");
    }

    @Test
    void close_shuts_the_node_down() {
        Gate g = gate();
        try (Node other = Node.create()) {
            other.spawn(SpawnOptions.named("svc"), g);
            assertThat(other.processCount()).isEqualTo(1);
            other.close();
            assertThat(other.processCount()).isZero();
        }
        assertThat(g.handled).containsExactly("terminate");
    }
}
