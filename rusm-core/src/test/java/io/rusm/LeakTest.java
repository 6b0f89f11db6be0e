package io.rusm;

import io.rusm.TestSupport.Recorder;
import io.rusm.service.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.rusm.TestSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Memory follows what is alive: a dead watcher holds nothing of its target, an answered call holds
 * no timer, request or reply, and a node forgets a name nobody uses. Heap is compared after GC with
 * generous bounds (a leak here was tens to hundreds of MB); the counts are the issue's own.
 */
@Timeout(300)
class LeakTest extends NodeTestBase {
    private static final long MB = 1024 * 1024;

    /** A watcher with 1 KB of state of its own, so a dead one pinned by its target would show. */
    static final class HeavyWatcher implements Behavior {
        final byte[] state = new byte[1024];

        @Override
        public Object handle(Object message) {
            return message;
        }
    }

    @Test
    void monitors_held_by_dead_watchers_are_removed_from_the_target() {
        node.removeListener(events);
        Pid target = spawn("target", m -> m);
        long before = HeapAfterGc.used();
        List<Pid> watchers = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            Pid w = node.spawn(new HeavyWatcher());
            node.monitor(w, target);
            watchers.add(w);
        }
        assertThat(node.runtime().byPid(target).monitorCount()).isEqualTo(100_000);
        for (Pid w : watchers) node.kill(w);
        watchers.clear();

        assertThat(node.runtime().byPid(target).monitorCount()).isZero();
        await().atMost(WAIT).until(() -> node.processCount() == 1);
        assertThat(HeapAfterGc.used() - before).as("heap kept by 100,000 dead watchers").isLessThan(40 * MB);
    }

    @Test
    void answered_async_calls_hold_no_timer_request_or_reply() {
        node.removeListener(events);
        spawn("echo", m -> m);
        long before = HeapAfterGc.used();
        // A million answered calls with a 60 s timeout each: no timeout task outlives its answer.
        int inFlight = 256;
        List<CompletableFuture<Object>> window = new ArrayList<>(inFlight);
        for (int i = 0; i < 1_000_000; i++) {
            window.add(node.callAsync("echo", i, Duration.ofSeconds(60)));
            if (window.size() == inFlight) {
                window.forEach(CompletableFuture::join);
                window.clear();
            }
        }
        window.forEach(CompletableFuture::join);
        window.clear();
        assertThat(HeapAfterGc.used() - before).as("heap kept by a million answered async calls").isLessThan(40 * MB);

        // 20,000 replies of 10 KB, consumed and dropped by the caller, are not pinned until their deadline.
        spawn("big", m -> new byte[10 * 1024]);
        long beforeBig = HeapAfterGc.used();
        for (int i = 0; i < 20_000; i++) node.callAsync("big", i, Duration.ofSeconds(60)).join();
        assertThat(HeapAfterGc.used() - beforeBig).as("heap kept by 20,000 dropped 10 KB replies").isLessThan(40 * MB);
    }

    @Test
    void a_node_forgets_names_nobody_uses_but_never_reuses_a_pid() {
        node.removeListener(events);
        int baselineNames = node.runtime().rememberedNames();
        long before = HeapAfterGc.used();
        CompletableFuture<Void> half = CompletableFuture.runAsync(() -> spawnAndKill(0, 500_000));
        spawnAndKill(500_000, 1_000_000);
        half.join();
        assertThat(node.runtime().rememberedNames()).isEqualTo(baselineNames);
        assertThat(HeapAfterGc.used() - before).as("heap kept by a million ended names").isLessThan(20 * MB);

        // A name that comes back never gets a pid it had before.
        Pid first = spawn("returning", m -> m);
        node.stop(first, WAIT);
        Pid again = spawn("returning", m -> m);
        assertThat(again).isNotEqualTo(first);
        assertThat(again.incarnation()).isGreaterThan(first.incarnation());
        assertThat(node.isAlive(first)).isFalse();
        // Incarnations of forgotten names stay small numbers: floors are kept per hash bucket.
        assertThat(spawn("brand-new", m -> m).incarnation()).isLessThan(10_000);
    }

    private void spawnAndKill(int from, int to) {
        for (int i = from; i < to; i++) node.kill(node.spawn(SpawnOptions.named("p-" + i), m -> m));
    }

    @Test
    void services_spawned_under_unique_names_are_forgotten_with_their_definitions() {
        node.removeListener(events);
        long before = HeapAfterGc.used();
        for (int i = 0; i < 200_000; i++) {
            Pid pid = node.spawnService(ServiceDefinition.of("svc-" + i, Counter.class), Counter::new);
            node.stop(pid, WAIT);
        }
        assertThat(node.serviceDefinition("svc-7")).isEmpty();
        assertThat(HeapAfterGc.used() - before).as("heap kept by 200,000 ended services").isLessThan(20 * MB);
    }

    @Test
    void a_declared_service_stays_known_after_its_process_ends() {
        ServiceDefinition def = ServiceDefinition.of("kept", Counter.class);
        node.declareService(def);
        node.stop(node.spawnService(def, Counter::new), WAIT);
        assertThat(node.serviceDefinition("kept")).isPresent();
    }

    @Test
    void a_supervised_name_keeps_counting_incarnations_across_restarts() {
        Recorder unused = recorder();
        Supervisor sup = node.startSupervisor(SupervisorSpec.of("s").withChildren(List.of(WorkerSpec.of("w", () -> m -> {
            throw new TestSupport.Boom("crash");
        }))).withIntensity(10, Duration.ofSeconds(10)));
        Pid w1 = node.whereis("w").orElseThrow();
        node.send("w", "boom");
        Pid w2 = await().atMost(WAIT).until(() -> node.whereis("w").orElse(w1), p -> !p.equals(w1));
        assertThat(w2.incarnation()).isEqualTo(w1.incarnation() + 1);
        sup.stop();
    }
}
