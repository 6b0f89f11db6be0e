package io.rusm;

import io.rusm.TestSupport.Account;
import io.rusm.TestSupport.Balance;
import io.rusm.TestSupport.Deposit;
import io.rusm.TestSupport.Gate;
import io.rusm.TestSupport.InsufficientFunds;
import io.rusm.TestSupport.Withdraw;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.rusm.TestSupport.AT_ONCE;
import static io.rusm.TestSupport.BLOCK;
import static io.rusm.TestSupport.BLOCK_THEN_CRASH;
import static io.rusm.TestSupport.CRASH;
import static io.rusm.TestSupport.LONG_TIMEOUT;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.assertCrashed;
import static io.rusm.TestSupport.failsAtOnce;
import static io.rusm.TestSupport.failureOf;
import static io.rusm.TestSupport.inBackground;
import static io.rusm.TestSupport.valueOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** SPEC "Calls, sends and failure": one test (at least) per row of the table, plus sends and callAsync. */
class CallSendFailureTest extends NodeTestBase {

    // ---- normal call -------------------------------------------------------------------------

    @Test
    void call_returns_the_handlers_value() {
        spawn("echo", m -> "re:" + m);
        assertThat(node.<String>call("echo", "hi")).isEqualTo("re:hi");
        assertThat(node.<String>call("echo", "again", LONG_TIMEOUT)).isEqualTo("re:again");
    }

    @Test
    void call_returns_null_when_the_handler_returns_null() {
        spawn("void", m -> null);
        assertThat((Object) node.call("void", "x")).isNull();
    }

    @Test
    void call_by_pid_reaches_that_incarnation() {
        Pid pid = spawn("echo", m -> "re:" + m);
        assertThat(node.<String>call(pid, "hi")).isEqualTo("re:hi");
    }

    @Test
    void handlers_see_messages_one_at_a_time_in_send_order() {
        List<Object> seen = new ArrayList<>(); // owned by the fiber: no locks
        spawn("log", m -> m.equals("dump") ? List.copyOf(seen) : seen.add(m));
        for (int i = 0; i < 100; i++) node.send("log", i);
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) expected.add(i);
        assertThat(node.<List<Object>>call("log", "dump")).isEqualTo(expected);
    }

    // ---- declared failure ----------------------------------------------------------------------

    @Test
    void declared_exception_is_rethrown_in_the_caller_and_the_process_keeps_its_state() {
        Pid pid = spawn("account", new Account());
        assertThat(node.<Long>call("account", new Deposit(10))).isEqualTo(10L);

        Throwable t = failsAtOnce(() -> node.call("account", new Withdraw(50)));

        assertThat(t).isInstanceOf(InsufficientFunds.class).hasMessage("balance 10 < 50");
        assertThat(node.whereis("account")).contains(pid);
        assertThat(node.<Long>call("account", new Balance())).isEqualTo(10L);
        assertThat(node.<Long>call("account", new Withdraw(4))).isEqualTo(6L);
    }

    @Test
    void declared_exception_from_a_send_is_ignored_and_the_process_keeps_running() {
        Pid pid = spawn("account", new Account());
        node.send("account", new Deposit(3));
        node.send("account", new Withdraw(50));
        assertThat(node.<Long>call("account", new Balance())).isEqualTo(3L);
        assertThat(node.isAlive(pid)).isTrue();
    }

    // ---- undeclared failure: a crash -------------------------------------------------------------

    @Test
    void undeclared_exception_fails_the_caller_with_process_crashed_at_once_and_the_process_dies() {
        Gate g = gate();
        Pid pid = spawn("svc", g);

        Throwable t = failsAtOnce(() -> node.call("svc", CRASH, LONG_TIMEOUT));

        ProcessCrashedException e = assertCrashed(t, pid, ExitReason.crashed(g.thrown()));
        assertThat(e.getCause()).isSameAs(g.thrown());
        assertThat(e.reason()).isInstanceOfSatisfying(ExitReason.Crashed.class,
                c -> assertThat(c.cause()).isSameAs(g.thrown()));
        assertThat(e).isInstanceOf(RusmException.class);
        assertThat(node.isAlive(pid)).isFalse();
        assertThat(node.whereis("svc")).isEmpty();
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.crashed(g.thrown()));
    }

    @Test
    void error_thrown_by_a_handler_is_a_crash_too() {
        StackOverflowError error = new StackOverflowError("deep");
        Pid pid = spawn("svc", m -> { throw error; });
        Throwable t = failsAtOnce(() -> node.call("svc", "x", LONG_TIMEOUT));
        assertCrashed(t, pid, ExitReason.crashed(error));
        assertThat(t.getCause()).isSameAs(error);
    }

    @Test
    void crash_during_a_send_kills_the_process() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        node.send("svc", CRASH);
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.crashed(g.thrown()));
        assertThat(node.whereis("svc")).isEmpty();
    }

    // ---- not running ---------------------------------------------------------------------------

    @Test
    void call_to_unknown_name_fails_with_noproc_at_once() {
        Throwable t = failsAtOnce(() -> node.call("nobody", "x", LONG_TIMEOUT));
        assertThat(t).isInstanceOf(NoProcessException.class);
        assertThat(((NoProcessException) t).target()).isEqualTo("nobody");
    }

    @Test
    void call_to_stopped_process_fails_with_noproc_at_once_by_name_and_by_pid() {
        Pid pid = spawn("svc", m -> m);
        assertThat(node.stop(pid, WAIT)).isEqualTo(ExitReason.SHUTDOWN);

        assertThat(failsAtOnce(() -> node.call("svc", "x", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
        Throwable byPid = failsAtOnce(() -> node.call(pid, "x", LONG_TIMEOUT));
        assertThat(byPid).isInstanceOf(NoProcessException.class);
        assertThat(((NoProcessException) byPid).target()).isEqualTo(pid.toString());
    }

    @Test
    void call_to_crashed_process_fails_with_noproc_at_once() {
        Pid pid = spawn("svc", gate());
        catchThrowable(() -> node.call("svc", CRASH));
        assertThat(failsAtOnce(() -> node.call("svc", "x", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
        assertThat(failsAtOnce(() -> node.call(pid, "x", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
    }

    @Test
    void call_to_a_previous_incarnation_pid_fails_with_noproc_while_the_name_reaches_the_new_one() {
        Pid first = spawn("svc", m -> "first");
        node.kill(first);
        Pid second = spawn("svc", m -> "second");

        assertThat(failsAtOnce(() -> node.call(first, "x", LONG_TIMEOUT))).isInstanceOf(NoProcessException.class);
        assertThat(node.<String>call("svc", "x")).isEqualTo("second");
        assertThat(node.<String>call(second, "x")).isEqualTo("second");
    }

    // ---- callee ends while the call waits --------------------------------------------------------

    @Test
    void callee_crash_fails_the_in_flight_and_every_queued_caller_at_once_with_the_crash() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK_THEN_CRASH, LONG_TIMEOUT));
        g.awaitEntered();
        List<CompletableFuture<Object>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            queued.add(inBackground(() -> node.call("svc", "q" + n, LONG_TIMEOUT)));
        }
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 3);

        g.open();

        Throwable first = failureOf(inFlight, AT_ONCE);
        ExitReason crash = ExitReason.crashed(g.thrown());
        assertThat(assertCrashed(first, pid, crash).getCause()).isSameAs(g.thrown());
        for (CompletableFuture<Object> q : queued) {
            ProcessCrashedException e = assertCrashed(failureOf(q, AT_ONCE), pid, crash);
            assertThat(e.getCause()).isSameAs(g.thrown());
        }
        assertThat(g.handled).containsExactly(BLOCK_THEN_CRASH); // queued calls were never handled
    }

    @Test
    void callee_killed_while_the_call_is_in_flight_fails_the_caller_at_once_with_killed() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();

        node.kill(pid);

        assertCrashed(failureOf(inFlight, AT_ONCE), pid, ExitReason.KILLED);
        // The handler's InterruptedException is fallout of the kill, not a crash.
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.KILLED);
    }

    @Test
    void callee_killed_while_calls_are_queued_fails_every_queued_caller_at_once_with_killed() {
        Gate g = stubbornGate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        List<CompletableFuture<Object>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            queued.add(inBackground(() -> node.call("svc", "q" + n, LONG_TIMEOUT)));
        }
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 5);

        node.kill(pid);

        assertCrashed(failureOf(inFlight, AT_ONCE), pid, ExitReason.KILLED);
        for (CompletableFuture<Object> q : queued) assertCrashed(failureOf(q, AT_ONCE), pid, ExitReason.KILLED);
    }

    @Test
    void callee_ended_by_an_exit_signal_fails_the_caller_with_that_reason() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();

        node.exit(pid, ExitReason.ESCALATED);

        assertCrashed(failureOf(inFlight, AT_ONCE), pid, ExitReason.ESCALATED);
    }

    @Test
    void messages_queued_to_an_incarnation_that_dies_are_not_replayed_on_the_next_one() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> poison = inBackground(() -> node.call("svc", BLOCK_THEN_CRASH, LONG_TIMEOUT));
        g.awaitEntered();
        node.send("svc", "queued-send");
        CompletableFuture<Object> queuedCall = inBackground(() -> node.call("svc", "queued-call", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 2);

        g.open();
        assertThat(failureOf(poison, AT_ONCE)).isInstanceOf(ProcessCrashedException.class);
        assertThat(failureOf(queuedCall, AT_ONCE)).isInstanceOf(ProcessCrashedException.class);
        events.awaitExit(pid);

        Gate next = gate();
        spawn("svc", next);
        assertThat(node.<String>call("svc", "fresh")).isEqualTo("re:fresh");
        assertThat(next.handled).containsExactly("fresh");
        assertThat(events.dropped).anySatisfy(d -> {
            assertThat(d.message()).isEqualTo("queued-send");
            assertThat(d.target()).as("reported under the service name").isEqualTo(pid.name());
        });
    }

    // ---- timeout -------------------------------------------------------------------------------

    @Test
    void call_without_reply_within_its_timeout_fails_with_call_timeout() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        Duration timeout = Duration.ofMillis(200);

        long t0 = System.nanoTime();
        Throwable t = catchThrowable(() -> node.call("svc", BLOCK, timeout));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(t).isInstanceOf(CallTimeoutException.class).isInstanceOf(RusmException.class);
        assertThat(took).as("not before the timeout").isGreaterThanOrEqualTo(timeout);
        assertThat(node.isAlive(pid)).as("a timeout does not hurt the callee").isTrue();
    }

    @Test
    void late_reply_is_discarded_and_never_delivered_to_a_later_call() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        assertThat(catchThrowable(() -> node.call("svc", BLOCK, Duration.ofMillis(200))))
                .isInstanceOf(CallTimeoutException.class);
        g.awaitEntered();
        // The first handler is still running; queue a second call behind it, then let the first reply.
        CompletableFuture<Object> second = inBackground(() -> node.call("svc", "second", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 1);

        g.open();

        assertThat(valueOf(second)).isEqualTo("re:second");
        assertThat(node.<String>call("svc", "third")).isEqualTo("re:third");
        assertThat(g.handled).containsExactly(BLOCK, "second", "third");
    }

    @Test
    void late_reply_after_timeout_from_the_same_thread_goes_nowhere() {
        Gate g = gate();
        spawn("svc", g);
        assertThat(catchThrowable(() -> node.call("svc", BLOCK, Duration.ofMillis(100))))
                .isInstanceOf(CallTimeoutException.class);
        g.open();
        for (int i = 0; i < 20; i++) assertThat(node.<String>call("svc", i)).isEqualTo("re:" + i);
    }

    // ---- mailbox full --------------------------------------------------------------------------

    @Test
    void mailbox_full_fails_call_and_send_with_mailbox_full_at_once() {
        Gate g = gate();
        Pid pid = node.spawn(SpawnOptions.named("svc").withMailboxCapacity(2), g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        node.send("svc", "a");
        CompletableFuture<Object> queued = inBackground(() -> node.call("svc", "b", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 2);

        Throwable call = failsAtOnce(() -> node.call("svc", "c", LONG_TIMEOUT));
        Throwable send = failsAtOnce(() -> node.send("svc", "d"));

        assertThat(call).isInstanceOf(MailboxFullException.class).isInstanceOf(RusmException.class);
        assertThat(send).isInstanceOf(MailboxFullException.class);
        assertThat(failsAtOnce(() -> node.call(pid, "e", LONG_TIMEOUT))).isInstanceOf(MailboxFullException.class);
        assertThat(node.mailboxSize(pid)).isEqualTo(2);

        g.open();
        assertThat(valueOf(inFlight)).isEqualTo("released");
        assertThat(valueOf(queued)).isEqualTo("re:b");
        assertThat(node.<String>call("svc", "f")).as("room again once drained").isEqualTo("re:f");
        assertThat(g.handled).containsExactly(BLOCK, "a", "b", "f");
    }

    @Test
    void a_bounded_mailbox_that_keeps_emptying_never_reports_full_however_many_messages_pass() {
        Gate g = gate();
        g.open();
        Pid pid = node.spawn(SpawnOptions.named("svc").withMailboxCapacity(3), g);
        // Thousands of messages through a mailbox of 3, never more than 3 waiting: none is refused,
        // though the senders' count of what they accepted runs far past the bound.
        for (int i = 0; i < 2_000; i++) {
            node.send("svc", "s" + i);
            node.send("svc", "t" + i);
            assertThat(node.<String>call("svc", "c" + i)).isEqualTo("re:c" + i);
        }
        assertThat(node.mailboxSize(pid)).isZero();
        assertThat(g.handled).hasSize(6_000);
    }

    // ---- sends ---------------------------------------------------------------------------------

    @Test
    void send_to_unknown_name_is_dropped_and_reported() {
        node.send("nobody", "hello");
        assertThat(events.dropped).singleElement().satisfies(d -> {
            assertThat(d.target()).isEqualTo("nobody");
            assertThat(d.message()).isEqualTo("hello");
            assertThat(d.reason()).isEqualTo("noproc");
        });
    }

    @Test
    void send_to_a_dead_pid_is_dropped_and_reported() {
        Pid pid = spawn("svc", m -> m);
        node.kill(pid);
        node.send(pid, "hello");
        node.send("svc", "by-name");
        assertThat(events.dropped).anySatisfy(d -> {
            assertThat(d.target()).as("reported under the service name").isEqualTo(pid.name());
            assertThat(d.message()).isEqualTo("hello");
        });
        assertThat(events.droppedMessage("by-name")).isTrue();
    }

    @Test
    void send_to_a_stopping_process_is_dropped_and_reported() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> inFlight = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        CompletableFuture<Object> stop = inBackground(() -> node.stop(pid, WAIT));
        await().atMost(WAIT).until(() -> node.runtime().byPid(pid).mailbox().isClosed());

        node.send("svc", "too-late");

        assertThat(events.droppedMessage("too-late")).isTrue();
        g.open();
        assertThat(valueOf(stop)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(valueOf(inFlight)).isEqualTo("released");
        assertThat(g.handled).doesNotContain("too-late");
    }

    // ---- callAsync -----------------------------------------------------------------------------

    @Test
    void callAsync_completes_with_the_handlers_value() throws Exception {
        spawn("echo", m -> "re:" + m);
        CompletableFuture<String> f = node.callAsync("echo", "hi", LONG_TIMEOUT);
        assertThat(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("re:hi");
    }

    @Test
    void callAsync_fails_with_call_timeout_and_the_late_reply_is_discarded() {
        Gate g = gate();
        spawn("svc", g);
        CompletableFuture<Object> f = node.callAsync("svc", BLOCK, Duration.ofMillis(200));

        assertThat(failureOf(f, WAIT)).isInstanceOf(CallTimeoutException.class);
        g.open();
        assertThat(node.<String>call("svc", "next")).isEqualTo("re:next");
        assertThat(f).isCompletedExceptionally(); // the late "released" did not overwrite it
        assertThat(catchThrowable(f::join)).isInstanceOf(CompletionException.class).hasCauseInstanceOf(CallTimeoutException.class);
    }

    @Test
    void callAsync_fails_with_process_crashed_when_the_callee_crashes() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> f = node.callAsync("svc", CRASH, LONG_TIMEOUT);
        ProcessCrashedException e = assertCrashed(failureOf(f, AT_ONCE), pid, ExitReason.crashed(g.thrown()));
        assertThat(e.getCause()).isSameAs(g.thrown());
    }

    @Test
    void callAsync_fails_with_process_crashed_when_the_callee_is_killed_while_queued() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> blocked = node.callAsync("svc", BLOCK, LONG_TIMEOUT);
        g.awaitEntered();
        CompletableFuture<Object> queued = node.callAsync("svc", "q", LONG_TIMEOUT);
        node.kill(pid);
        assertCrashed(failureOf(blocked, AT_ONCE), pid, ExitReason.KILLED);
        assertCrashed(failureOf(queued, AT_ONCE), pid, ExitReason.KILLED);
    }

    @Test
    void callAsync_returns_a_failed_future_for_unknown_name_and_full_mailbox_instead_of_throwing() {
        CompletableFuture<Object> noproc = node.callAsync("nobody", "x", LONG_TIMEOUT);
        assertThat(failureOf(noproc, AT_ONCE)).isInstanceOf(NoProcessException.class);

        Gate g = gate();
        Pid pid = node.spawn(SpawnOptions.named("svc").withMailboxCapacity(1), g);
        node.callAsync("svc", BLOCK, LONG_TIMEOUT);
        g.awaitEntered();
        node.send("svc", "fills-the-mailbox");
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 1);
        assertThat(failureOf(node.callAsync("svc", "x", LONG_TIMEOUT), AT_ONCE)).isInstanceOf(MailboxFullException.class);
    }

    @Test
    void callAsync_failure_reaches_dependent_stages_unwrapped_with_or_without_listeners() throws Exception {
        // This node has a listener (the base class's); a bare one has none. Both must look alike.
        try (Node bare = Node.create()) {
            for (Node n : List.of(node, bare)) {
                Throwable seen = n.callAsync("nobody", "x", LONG_TIMEOUT)
                        .handle((v, t) -> t)
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(seen).as("on node with%s listeners", n == bare ? "out" : "")
                        .isInstanceOf(NoProcessException.class);
                Throwable viaGet = catchThrowable(() -> n.callAsync("nobody", "x", LONG_TIMEOUT).get(1, TimeUnit.SECONDS));
                assertThat(viaGet).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoProcessException.class);
            }
        }
    }
}
