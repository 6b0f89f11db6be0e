package io.rusm;

import io.rusm.TestSupport.Gate;
import io.rusm.TestSupport.Recorder;
import io.rusm.event.ProcessListener;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.rusm.TestSupport.AT_ONCE;
import static io.rusm.TestSupport.BLOCK;
import static io.rusm.TestSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kill, the {@code Down} it causes and the exit signals along links run on rusm's own threads:
 * a caller's slow {@code whenComplete}, a slow listener or a slow escalation callback never delays
 * them. (A 3 s callback used to make {@code node.kill} take 3 s and the {@code Down} arrive 3 s late.)
 */
class KillNeverWaitsOnUserCodeTest extends NodeTestBase {
    private static final Duration SLOW = Duration.ofSeconds(3);
    private final CountDownLatch unblock = new CountDownLatch(1);

    private void slowUserCode() {
        try {
            unblock.await(SLOW.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void a_slow_whenComplete_on_an_async_call_does_not_delay_the_kill_or_the_down() {
        Gate g = gate();
        Pid callee = spawn("callee", g);
        Recorder watcher = recorder();
        node.monitor(watcher.self(), callee);
        CompletableFuture<Object> call = node.callAsync("callee", BLOCK, WAIT);
        CountDownLatch callbackRan = new CountDownLatch(1);
        call.whenComplete((v, t) -> {
            callbackRan.countDown();
            slowUserCode();
        });
        g.awaitEntered();

        long t0 = System.nanoTime();
        node.kill(callee);
        Duration killTook = Duration.ofNanos(System.nanoTime() - t0);
        Down down = watcher.next(Down.class);
        Duration downTook = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(killTook).isLessThan(SLOW.dividedBy(2));
        assertThat(downTook).isLessThan(SLOW.dividedBy(2));
        assertThat(down.reason()).isEqualTo(ExitReason.KILLED);
        TestSupport.awaitLatch(callbackRan, "the caller's callback still runs");
        unblock.countDown();
    }

    @Test
    void a_slow_listener_does_not_delay_the_kill_or_the_exit_signal() {
        CountDownLatch heard = new CountDownLatch(1);
        node.addListener(new ProcessListener() {
            @Override
            public void exited(Pid pid, ExitReason reason) {
                heard.countDown();
                slowUserCode();
            }
        });
        Pid victim = spawn("victim", gate());
        Recorder linked = recorder(SpawnOptions.anonymous().withTrapExits(true));
        node.link(linked.self(), victim);

        long t0 = System.nanoTime();
        node.kill(victim);
        Exit exit = linked.next(Exit.class);

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(SLOW.dividedBy(2));
        assertThat(exit.reason()).isEqualTo(ExitReason.KILLED);
        TestSupport.awaitLatch(heard, "the listener still hears of it");
        unblock.countDown();
    }

    @Test
    void a_slow_escalation_callback_does_not_delay_killing_the_supervisor() {
        CountDownLatch told = new CountDownLatch(1);
        Supervisor sup = node.startSupervisor(SupervisorSpec.of("top").withChildren(List.of(WorkerSpec.of("w", () -> new Gate(false)))),
                reason -> {
                    told.countDown();
                    slowUserCode();
                });
        long t0 = System.nanoTime();
        node.kill(sup.pid());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(AT_ONCE);
        TestSupport.awaitLatch(told, "the callback still runs");
        unblock.countDown();
    }
}
