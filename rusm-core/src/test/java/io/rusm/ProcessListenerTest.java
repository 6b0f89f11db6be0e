package io.rusm;

import io.rusm.TestSupport.Account;
import io.rusm.TestSupport.Boom;
import io.rusm.TestSupport.CallEvent;
import io.rusm.TestSupport.Gate;
import io.rusm.TestSupport.Withdraw;
import io.rusm.event.CallOutcome;
import io.rusm.event.ProcessListener;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rusm.TestSupport.AT_ONCE;
import static io.rusm.TestSupport.BLOCK;
import static io.rusm.TestSupport.CRASH;
import static io.rusm.TestSupport.LONG_TIMEOUT;
import static io.rusm.TestSupport.QUIT;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.failureOf;
import static io.rusm.TestSupport.inBackground;
import static io.rusm.TestSupport.valueOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** {@link ProcessListener}: started/exited exactly once per process, and every call outcome. */
class ProcessListenerTest extends NodeTestBase {

    @Test
    void started_is_reported_before_spawn_returns() {
        Pid pid = node.spawn(m -> m);
        assertThat(events.startedTimes(pid)).isEqualTo(1);
        assertThat(events.exitedTimes(pid)).isZero();
    }

    @Test
    void started_and_exited_are_reported_exactly_once_per_process_whatever_ends_it() {
        Gate crashing = gate();
        Pid normal = spawn("normal", gate());
        Pid crashed = spawn("crashed", crashing);
        Pid killed = spawn("killed", gate());
        Pid stopped = spawn("stopped", gate());
        Pid signalled = spawn("signalled", gate());
        Pid shutDown = spawn("shut-down", gate());

        node.call("normal", QUIT);
        catchThrowable(() -> node.call("crashed", CRASH));
        node.kill(killed);
        node.stop(stopped, WAIT);
        node.exit(signalled, ExitReason.ESCALATED);
        // Pile more endings on the dead ones: none may be reported again.
        for (Pid p : List.of(normal, crashed, killed, stopped, signalled)) {
            node.kill(p);
            node.exit(p, ExitReason.SHUTDOWN);
            node.stop(p, WAIT);
        }
        node.shutdown(WAIT);

        Map<Pid, ExitReason> expected = Map.of(
                normal, ExitReason.NORMAL,
                crashed, ExitReason.crashed(crashing.thrown()),
                killed, ExitReason.KILLED,
                stopped, ExitReason.SHUTDOWN,
                signalled, ExitReason.ESCALATED,
                shutDown, ExitReason.SHUTDOWN);
        expected.forEach((pid, reason) -> assertThat(events.awaitExit(pid)).as("%s", pid).isEqualTo(reason));
        for (Pid pid : expected.keySet()) {
            assertThat(events.startedTimes(pid)).as("started %s", pid).isEqualTo(1);
            assertThat(events.exitedTimes(pid)).as("exited %s", pid).isEqualTo(1);
        }
    }

    @Test
    void a_failed_init_reports_exited_but_never_started() {
        Boom boom = new Boom("init");
        Throwable t = catchThrowable(() -> node.spawn(SpawnOptions.named("svc"), new Behavior() {
            @Override
            public void init() {
                throw boom;
            }

            @Override
            public Object handle(Object message) {
                return message;
            }
        }));
        Pid pid = ((ProcessCrashedException) t).pid();
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.crashed(boom));
        assertThat(events.exitedTimes(pid)).isEqualTo(1);
        assertThat(events.startedTimes(pid)).isZero();
    }

    @Test
    void call_outcomes_are_reported_ok_error_crashed_timeout_noproc_and_full() {
        spawn("account", new Account());
        Gate g = gate();
        Pid gated = node.spawn(SpawnOptions.named("gated").withMailboxCapacity(1), g);

        node.call("account", new TestSupport.Deposit(1));                       // ok
        catchThrowable(() -> node.call("account", new Withdraw(5)));             // error (declared)
        catchThrowable(() -> node.call("nobody", "noproc-msg"));                 // noproc
        catchThrowable(() -> node.call("gated", BLOCK, Duration.ofMillis(100))); // timeout (handler stays blocked)
        node.send("gated", "fills");
        await().atMost(WAIT).until(() -> node.mailboxSize(gated) == 1);
        catchThrowable(() -> node.call("gated", "full-msg"));                    // full
        spawn("crasher", gate());
        catchThrowable(() -> node.call("crasher", CRASH));                       // crashed

        assertThat(events.outcomesFor(new TestSupport.Deposit(1))).containsExactly(CallOutcome.OK);
        assertThat(events.outcomesFor(new Withdraw(5))).containsExactly(CallOutcome.ERROR);
        assertThat(events.outcomesFor("noproc-msg")).containsExactly(CallOutcome.NOPROC);
        assertThat(events.outcomesFor(BLOCK)).containsExactly(CallOutcome.TIMEOUT);
        assertThat(events.outcomesFor("full-msg")).containsExactly(CallOutcome.FULL);
        assertThat(events.outcomesFor(CRASH)).containsExactly(CallOutcome.CRASHED);
        assertThat(events.calls).extracting(CallEvent::nanos).allSatisfy(n -> assertThat(n).isNotNegative());
        assertThat(events.calls).filteredOn(e -> e.message().equals("noproc-msg"))
                .extracting(CallEvent::target).containsExactly("nobody");
        assertThat(CallOutcome.values()).extracting(CallOutcome::tag)
                .containsExactly("ok", "error", "crashed", "timeout", "noproc", "full");
    }

    @Test
    void call_outcome_is_crashed_for_a_caller_queued_behind_a_kill() {
        Gate g = gate();
        Pid pid = spawn("svc", g);
        CompletableFuture<Object> blocked = inBackground(() -> node.call("svc", BLOCK, LONG_TIMEOUT));
        g.awaitEntered();
        CompletableFuture<Object> queued = inBackground(() -> node.call("svc", "queued", LONG_TIMEOUT));
        await().atMost(WAIT).until(() -> node.mailboxSize(pid) == 1);
        node.kill(pid);
        failureOf(blocked, AT_ONCE);
        failureOf(queued, AT_ONCE);
        assertThat(events.outcomesFor("queued")).containsExactly(CallOutcome.CRASHED);
        assertThat(events.outcomesFor(BLOCK)).containsExactly(CallOutcome.CRASHED);
    }

    @Test
    void async_call_outcomes_are_reported_before_the_future_completes() {
        spawn("echo", m -> m);
        Gate g = gate();
        spawn("gated", g);

        assertThat(valueOf(node.callAsync("echo", "async-ok", LONG_TIMEOUT))).isEqualTo("async-ok");
        failureOf(node.callAsync("nobody", "async-noproc", LONG_TIMEOUT), AT_ONCE);
        failureOf(node.callAsync("gated", BLOCK, Duration.ofMillis(100)), WAIT);

        assertThat(events.outcomesFor("async-ok")).containsExactly(CallOutcome.OK);
        assertThat(events.outcomesFor("async-noproc")).containsExactly(CallOutcome.NOPROC);
        assertThat(events.outcomesFor(BLOCK)).containsExactly(CallOutcome.TIMEOUT);
    }

    @Test
    void a_throwing_listener_is_ignored_and_the_others_still_hear_everything() {
        AtomicInteger calls = new AtomicInteger();
        node.addListener(new ProcessListener() {
            @Override
            public void started(Pid pid) {
                calls.incrementAndGet();
                throw new Boom("listener");
            }

            @Override
            public void exited(Pid pid, ExitReason reason) {
                calls.incrementAndGet();
                throw new Boom("listener");
            }

            @Override
            public void callFinished(String target, Object message, long nanos, CallOutcome outcome) {
                calls.incrementAndGet();
                throw new Boom("listener");
            }
        });
        Pid pid = spawn("echo", m -> m);
        assertThat(node.<String>call("echo", "x")).isEqualTo("x");
        node.kill(pid);
        events.awaitExit(pid);
        await().atMost(WAIT).until(() -> calls.get() == 3);
        assertThat(events.startedTimes(pid)).isEqualTo(1);
        assertThat(events.exitedTimes(pid)).isEqualTo(1);
        assertThat(events.outcomesFor("x")).containsExactly(CallOutcome.OK);
    }

    @Test
    void a_removed_listener_hears_nothing_more() {
        node.removeListener(events);
        Pid pid = spawn("echo", m -> m);
        node.call("echo", "x");
        node.kill(pid);
        node.send("nobody", "y");
        assertThat(events.startedCount).isEmpty();
        assertThat(events.exitedCount).isEmpty();
        assertThat(events.calls).isEmpty();
        assertThat(events.dropped).isEmpty();
    }
}
