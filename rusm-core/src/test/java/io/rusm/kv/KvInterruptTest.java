package io.rusm.kv;

import io.rusm.Kv;
import io.rusm.KvException;
import io.rusm.Node;
import io.rusm.SpawnOptions;
import io.rusm.Pid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * rusm kills by interrupt, and a fiber may be in the middle of a read or a put when it is
 * interrupted, perhaps running the commit of its own and others' writes (the embedded store's
 * caller commit); an interrupt closes a {@code FileChannel} for every thread. The embedded store's file
 * (H2's {@code retry:} file system) survives it: every acknowledged write is there, and the store
 * goes on working.
 */
@Timeout(120)
class KvInterruptTest {
    @TempDir
    Path dir;

    /**
     * Interrupts closing the file channel in the middle of reads and puts: the store reopens it and
     * goes on, and every put that returned is in the file afterwards. A put whose thread was
     * interrupted while it waited may fail (it says it may or may not have been applied); nothing
     * else may.
     */
    @Test
    void interrupts_in_the_middle_of_reads_and_puts_lose_no_acknowledged_write_and_leave_the_store_working() throws Exception {
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        try (KvStore store = KvStore.embedded(dir)) {
            for (int w = 0; w < 8; w++) {
                String key = "key-" + w;
                Kv kv = store.forComponent("c");
                writers.add(Thread.ofVirtual().name("writer-" + w).start(() -> {
                    for (int n = 1; !stop.get(); n++) {
                        try {
                            kv.put(key, n);
                            acknowledged.put(key, n);
                            kv.get(key, Integer.class);
                        } catch (KvException e) {
                            if (!e.getMessage().contains("interrupted")) unexpected.compareAndSet(null, e);
                        } catch (Throwable t) {
                            unexpected.compareAndSet(null, t);
                        }
                        Thread.interrupted(); // the next put starts clean
                    }
                }));
            }
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int interrupts = 0;
            while (System.nanoTime() < until && unexpected.get() == null) {
                writers.get(ThreadLocalRandom.current().nextInt(writers.size())).interrupt();
                interrupts++;
                Thread.onSpinWait();
                if (interrupts % 64 == 0) Thread.sleep(1); // not synchronization: lets the writers make progress
            }
            stop.set(true);
            for (Thread t : writers) assertThat(t.join(Duration.ofSeconds(30))).as("%s ended", t.getName()).isTrue();
            assertThat(unexpected.get()).as("no failure but an interrupted wait").isNull();
            store.forComponent("c").put("after", 1); // still working
        }
        assertThat(acknowledged).as("the writers got puts through").hasSize(8);
        try (KvStore reopened = KvStore.embedded(dir)) {
            Kv kv = reopened.forComponent("c");
            acknowledged.forEach((key, n) -> assertThat(kv.get(key, Integer.class)).as(key).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(n)));
            assertThat(kv.get("after", Integer.class)).contains(1);
        }
    }

    /**
     * Services killed in the middle of their puts, over and over, often while their fiber runs the
     * commit with the bystander's write in it: the kill leaves its interrupt to the commit's end, so
     * a bystander's puts never fail.
     */
    @Test
    void killing_services_in_the_middle_of_their_puts_fails_no_bystanders_write() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> bystanderFailure = new AtomicReference<>();
        try (Node node = Node.create(); KvStore store = KvStore.embedded(dir)) {
            Kv kv = store.forCallingService();
            Kv bystanderKv = store.forComponent("bystander");
            Thread bystander = Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        bystanderKv.put("n", i);
                    } catch (Throwable t) {
                        bystanderFailure.compareAndSet(null, t);
                    }
                }
            });
            for (int round = 0; round < 50; round++) {
                java.util.concurrent.atomic.AtomicInteger puts = new java.util.concurrent.atomic.AtomicInteger();
                Pid pid = node.spawn(SpawnOptions.named("svc"), message -> {
                    for (int i = 0; ; i++) { // until killed: the kill fences the next put
                        kv.put("n", i);
                        puts.incrementAndGet();
                    }
                });
                node.send(pid, "go");
                // this round's service is in its put loop (the store's own count also has the bystander's puts)
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> puts.get() > 0);
                node.kill(pid);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !node.isAlive(pid));
            }
            stop.set(true);
            assertThat(bystander.join(Duration.ofSeconds(30))).isTrue();
            assertThat(bystanderFailure.get()).as("a bystander's put failed").isNull();
            store.forComponent("check").put("k", "v");
            assertThat(store.forComponent("check").get("k", String.class)).contains("v");
        }
    }
}
