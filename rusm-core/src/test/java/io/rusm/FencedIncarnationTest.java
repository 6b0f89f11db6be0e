package io.rusm;

import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.awaitLatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Dead means dead: a handler that ignores its kill and keeps running after its supervisor started
 * the next incarnation can no longer act through rusm. Each of its operations fails with
 * {@link FencedException} and reaches nobody.
 */
class FencedIncarnationTest extends NodeTestBase {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Map<String, Throwable> outcomes = new LinkedHashMap<>();

    /** On "stall": waits for {@code release} ignoring every interrupt, then tries each operation. */
    private final class Zombie implements Behavior {
        @Override
        public Object handle(Object message) {
            if (!"stall".equals(message)) return "live:" + message;
            entered.countDown();
            while (true) {
                try {
                    if (release.await(30, TimeUnit.SECONDS)) break;
                } catch (InterruptedException ignored) {
                    // the kill's interrupt: this handler pretends not to notice
                }
            }
            Pid sink = node.whereis("sink").orElseThrow();
            attempt("send", () -> node.send("sink", "from-zombie"));
            attempt("send to pid", () -> node.send(sink, "from-zombie"));
            attempt("call", () -> node.call("sink", "from-zombie", Duration.ofSeconds(1)));
            attempt("async call", () -> node.callAsync("sink", "from-zombie", Duration.ofSeconds(1)).join());
            attempt("spawn", () -> node.spawn(SpawnOptions.named("zombie-child"), m -> m));
            attempt("link", () -> node.link(sink));
            attempt("monitor", () -> node.monitor(sink));
            attempt("exit signal", () -> node.kill(sink));
            attempt("stop", () -> node.stop(sink, Duration.ofSeconds(1)));
            done.countDown();
            return "too late";
        }

        private void attempt(String operation, Runnable action) {
            Throwable t = catchThrowable(action::run);
            outcomes.put(operation, t instanceof java.util.concurrent.CompletionException c ? c.getCause() : t);
        }
    }

    @Test
    void a_killed_handler_that_ignores_the_interrupt_cannot_send_call_spawn_link_monitor_or_signal() {
        Recorder sink = recorder(SpawnOptions.named("sink"));
        Supervisor sup = node.startSupervisor(SupervisorSpec.of("sup").withChildren(List.of(WorkerSpec.of("svc", Zombie::new))));
        Pid first = node.whereis("svc").orElseThrow();
        CompletableFuture<Object> stalled = TestSupport.inBackground(() -> node.call("svc", "stall", WAIT));
        awaitLatch(entered, "the handler is running");

        node.kill(first);
        Pid second = await().atMost(WAIT).until(() -> node.whereis("svc").orElse(first), p -> !p.equals(first));
        assertThat(node.<String>call("svc", "hello")).as("incarnation 2 serves").isEqualTo("live:hello");
        assertThat(TestSupport.failureOf(stalled, WAIT)).isInstanceOf(ProcessCrashedException.class);

        release.countDown();
        awaitLatch(done, "the zombie handler finished");

        assertThat(outcomes).hasSize(9).allSatisfy((op, thrown) ->
                assertThat(thrown).as(op).isInstanceOf(FencedException.class)
                        .hasMessageContaining(first.toString()));
        assertThat(((FencedException) outcomes.get("send")).pid()).isEqualTo(first);
        // Nothing reached anybody.
        assertThat(sink.receivedSoFar(node)).as("the sink got nothing from the zombie").isEmpty();
        assertThat(node.isAlive(sink.self())).isTrue();
        assertThat(node.whereis("zombie-child")).isEmpty();
        assertThat(node.runtime().byPid(sink.self()).linkedPids()).isEmpty();
        assertThat(node.runtime().byPid(sink.self()).monitorCount()).isZero();
        assertThat(node.whereis("svc")).contains(second);
        assertThat(sup.isAlive()).isTrue();
    }

    @Test
    void a_plain_thread_is_never_fenced() {
        recorder(SpawnOptions.named("sink"));
        node.send("sink", "fine");
        assertThat(node.<String>call("sink", "fine")).isEqualTo("fine");
    }
}
