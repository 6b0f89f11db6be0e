package io.rusm;

import io.rusm.TestSupport.Recorder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static io.rusm.TestSupport.AT_ONCE;
import static io.rusm.TestSupport.WAIT;
import static io.rusm.TestSupport.awaitLatch;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Smaller promises of "dead means dead": a duration too large for nanoseconds means no timeout;
 * a process that stops itself ends after its current message instead of waiting for itself; and
 * a monitor removed after its {@code Down} was queued delivers nothing.
 */
class ForeverTimeoutsSelfStopAndDemonitorTest extends NodeTestBase {
    private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

    @Test
    void a_call_with_a_forever_timeout_waits_for_its_reply_and_runs_the_handler_once() {
        AtomicInteger handled = new AtomicInteger();
        spawn("svc", m -> "re:" + m + ":" + handled.incrementAndGet());
        assertThat(node.<String>call("svc", "a", FOREVER)).isEqualTo("re:a:1");
        assertThat(node.<String>callAsync("svc", "b", FOREVER).join()).isEqualTo("re:b:2");
        assertThat(handled).hasValue(2);
    }

    @Test
    void forever_is_accepted_for_start_stop_and_shutdown() {
        Pid pid = node.spawn(SpawnOptions.named("svc").withStartTimeout(FOREVER), m -> m);
        assertThat(node.stop(pid, FOREVER)).isEqualTo(ExitReason.SHUTDOWN);
        spawn("other", m -> m);
        node.shutdown(FOREVER);
        assertThat(node.processCount()).isZero();
    }

    @Test
    void a_process_that_stops_itself_ends_after_the_current_message_not_after_the_drain_timeout() {
        List<Object> handled = new CopyOnWriteArrayList<>();
        Pid pid = spawn("svc", new Behavior() {
            @Override
            public Object handle(Object message) {
                handled.add(message);
                if ("stop".equals(message)) return node.stop(ProcessContext.self(), Duration.ofSeconds(30));
                return message;
            }
        });
        long t0 = System.nanoTime();
        Object reply = node.call("svc", "stop");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(AT_ONCE);
        assertThat(reply).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.awaitExit(pid)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(AT_ONCE);
        assertThat(handled).containsExactly("stop");
    }

    @Test
    void demonitor_after_the_down_was_queued_returns_true_and_the_down_is_never_delivered() {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Object> seen = new CopyOnWriteArrayList<>();
        Pid watcher = spawn("watcher", new Behavior() {
            @Override
            public Object handle(Object message) {
                if ("hold".equals(message)) {
                    busy.countDown();
                    awaitLatch(release, "released");
                } else {
                    seen.add(message);
                }
                return message;
            }
        });
        Recorder target = recorder();
        MonitorRef ref = node.monitor(watcher, target.self());
        node.send(watcher, "hold");
        awaitLatch(busy, "the watcher is busy");
        node.kill(target.self());
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> node.mailboxSize(watcher) == 1); // the Down is queued

        assertThat(node.demonitor(ref)).isTrue();
        assertThat(node.demonitor(ref)).as("only once").isFalse();
        release.countDown();
        node.call(watcher, "marker", WAIT);

        assertThat(seen).containsExactly("marker");
    }

    @Test
    void a_down_that_was_not_demonitored_is_delivered() {
        Recorder watcher = recorder();
        Recorder target = recorder();
        MonitorRef ref = node.monitor(watcher.self(), target.self());
        node.kill(target.self());
        assertThat(watcher.next(Down.class).ref()).isEqualTo(ref);
        assertThat(node.demonitor(ref)).as("already delivered").isFalse();
    }
}
