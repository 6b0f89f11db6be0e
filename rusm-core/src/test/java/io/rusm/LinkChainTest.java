package io.rusm;

import io.rusm.TestSupport.Recorder;
import io.rusm.event.ProcessListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static io.rusm.TestSupport.CRASH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exit signals along links are delivered without recursion: a chain of a million links, or one
 * process linked to a hundred thousand, ends completely, every process in it told and reported.
 * (Chains past ~18,000 used to overflow the stack of the crashing fiber and leave the rest running.)
 */
@Timeout(300)
class LinkChainTest extends NodeTestBase {
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(120);

    /** Counts exits without holding on to pids, so a million of them cost nothing. */
    private final AtomicLong exited = new AtomicLong();
    private final ProcessListener counting = new ProcessListener() {
        @Override
        public void exited(Pid pid, ExitReason reason) {
            exited.incrementAndGet();
        }
    };

    @Test
    void a_crash_at_the_head_of_a_million_link_chain_ends_every_process_and_the_tail_monitor_hears_it() {
        node.removeListener(events); // its per-pid maps would hold a million entries
        node.addListener(counting);
        Pid[] chain = chain(1_000_000);
        Recorder tailWatcher = recorder();
        MonitorRef ref = node.monitor(tailWatcher.self(), chain[chain.length - 1]);
        long before = exited.get();

        Throwable crash = org.assertj.core.api.Assertions.catchThrowable(() -> node.call(chain[0], CRASH, Duration.ofSeconds(30)));

        assertThat(crash).isInstanceOf(ProcessCrashedException.class);
        await().atMost(ENDS_WITHIN).until(() -> !tailWatcher.inbox.isEmpty()); // a million ends take a while on a loaded machine
        Down down = tailWatcher.next(Down.class);
        assertThat(down.ref()).isEqualTo(ref);
        assertThat(down.reason()).isInstanceOf(ExitReason.Crashed.class);
        await().atMost(ENDS_WITHIN).until(() -> exited.get() - before == chain.length);
        assertThat(node.processCount()).as("only the watcher is left").isEqualTo(1);
    }

    @Test
    void a_crash_of_a_process_linked_to_a_hundred_thousand_ends_them_all() {
        node.removeListener(events);
        node.addListener(counting);
        Pid hub = spawn("hub", new TestSupport.Gate(false));
        Pid[] spokes = spawnMany(100_000);
        for (Pid s : spokes) node.link(hub, s);
        Recorder watcher = recorder();
        node.monitor(watcher.self(), spokes[spokes.length - 1]);
        long before = exited.get();

        node.exit(hub, ExitReason.crashed(new TestSupport.Boom("hub")));

        await().atMost(ENDS_WITHIN).until(() -> !watcher.inbox.isEmpty());
        assertThat(watcher.next(Down.class).reason()).isInstanceOf(ExitReason.Crashed.class);
        await().atMost(ENDS_WITHIN).until(() -> exited.get() - before == spokes.length + 1);
        assertThat(node.processCount()).isEqualTo(1);
    }

    @Test
    void node_close_ends_a_long_chain() {
        Pid[] chain = chain(100_000);
        node.shutdown(Duration.ofSeconds(60));
        assertThat(node.processCount()).isZero();
        for (int i = 0; i < chain.length; i += 997) assertThat(node.isAlive(chain[i])).isFalse();
    }

    /** {@code n} processes, each linked to the next. Spawned on two threads, then linked. */
    private Pid[] chain(int n) {
        Pid[] pids = spawnMany(n);
        for (int i = 1; i < n; i++) node.link(pids[i - 1], pids[i]);
        return pids;
    }

    private Pid[] spawnMany(int n) {
        Pid[] pids = new Pid[n];
        int half = n / 2;
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> fill(pids, 0, half));
        fill(pids, half, n);
        first.join();
        return pids;
    }

    private void fill(Pid[] pids, int from, int to) {
        for (int i = from; i < to; i++) pids[i] = node.spawn(new TestSupport.Gate(false));
    }
}
