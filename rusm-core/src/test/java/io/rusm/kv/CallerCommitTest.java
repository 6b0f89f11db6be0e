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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who runs a group commit (GroupCommitWriter): with the embedded store, a caller that finds nobody
 * committing commits its own write on its own thread, and so needs no wake-up; a fiber leaves its
 * write to the writer thread once per time slice; a JDBC-like backend always uses the writer
 * thread. And since the committing fiber may be interrupted (rusm kills by interrupt), the store's
 * file survives interrupts in the middle of reads and commits.
 */
@Timeout(120)
class CallerCommitTest {
    @TempDir
    Path dir;

    /** Records the thread of every commit. */
    static final class RecordingBackend extends ForwardingBackend {
        final List<Thread> committers = new CopyOnWriteArrayList<>();
        private final boolean callerCommits;

        RecordingBackend(Backend delegate, boolean callerCommits) {
            super(delegate);
            this.callerCommits = callerCommits;
        }

        @Override
        public boolean callerCommits() {
            return callerCommits;
        }

        @Override
        public Transaction begin() throws Exception {
            Transaction tx = delegate.begin();
            return new Transaction() {
                @Override
                public void put(String namespace, String key, byte[] value) throws Exception {
                    tx.put(namespace, key, value);
                }

                @Override
                public boolean delete(String namespace, String key) throws Exception {
                    return tx.delete(namespace, key);
                }

                @Override
                public void commit() throws Exception {
                    committers.add(Thread.currentThread());
                    tx.commit();
                }

                @Override
                public void rollback() {
                    tx.rollback();
                }
            };
        }
    }

    @Test
    void a_fiber_on_an_idle_embedded_store_commits_its_own_put_and_leaves_one_per_slice_to_the_writer() throws Exception {
        RecordingBackend backend = new RecordingBackend(MvStoreBackend.open(dir), true);
        assertThat(backend.delegate.callerCommits()).as("the embedded store lets callers commit").isTrue();
        int puts = 5 * (GroupCommitWriter.FIBER_COMMITS_PER_SLICE + 1);
        List<Thread> fibers = new ArrayList<>();
        try (KvStore store = KvStore.over(backend)) {
            Kv kv = store.forComponent("c");
            Thread fiber = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < puts; i++) kv.put("k", i);
            });
            fibers.add(fiber);
            assertThat(fiber.join(Duration.ofSeconds(60))).isTrue();
            assertThat(kv.get("k", Integer.class)).contains(puts - 1);
        }
        long own = backend.committers.stream().filter(t -> t == fibers.getFirst()).count();
        long writer = backend.committers.stream().filter(t -> t.getName().equals("rusm-kv-writer")).count();
        assertThat(own + writer).as("every commit by the fiber or the writer thread").isEqualTo(backend.committers.size());
        assertThat(own).as("commits run on the putting fiber itself").isGreaterThanOrEqualTo(puts - puts / (GroupCommitWriter.FIBER_COMMITS_PER_SLICE + 1));
        assertThat(writer).as("one put per time slice left to the writer thread").isGreaterThanOrEqualTo(puts / (GroupCommitWriter.FIBER_COMMITS_PER_SLICE + 1));
    }

    @Test
    void a_backend_that_does_not_let_callers_commit_gets_every_commit_from_the_writer_thread() throws Exception {
        RecordingBackend backend = new RecordingBackend(MvStoreBackend.open(dir), false);
        try (KvStore store = KvStore.over(backend)) {
            Kv kv = store.forComponent("c");
            Thread fiber = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 20; i++) kv.put("k", i);
            });
            assertThat(fiber.join(Duration.ofSeconds(60))).isTrue();
            kv.put("k", 99); // and from a platform thread
        }
        assertThat(backend.committers).hasSizeGreaterThanOrEqualTo(1)
                .allSatisfy(t -> assertThat(t.getName()).isEqualTo("rusm-kv-writer"));
    }

    /**
     * Interrupts closing the file channel in the middle of reads and commits (the committing fiber
     * may be one being killed): the store reopens it and goes on, and every put that returned is in
     * the file afterwards. A put whose thread was interrupted while it waited may fail (it says it
     * may or may not have been applied); nothing else may.
     */
    @Test
    void interrupts_in_the_middle_of_reads_and_commits_lose_no_acknowledged_write_and_leave_the_store_working() throws Exception {
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

    /** A killed service's fiber may be the one running the commit: its put and its successor's both behave. */
    @Test
    void killing_services_while_they_commit_their_own_puts_keeps_the_store_working() throws Exception {
        try (Node node = Node.create(); KvStore store = KvStore.embedded(dir)) {
            Kv kv = store.forCallingService();
            for (int round = 0; round < 50; round++) {
                Pid pid = node.spawn(SpawnOptions.named("svc"), message -> {
                    for (int i = 0; ; i++) kv.put("n", i); // until killed: the kill fences the next put
                });
                node.send(pid, "go");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> store.writeCount() > 0);
                node.kill(pid);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !node.isAlive(pid));
            }
            store.forComponent("check").put("k", "v");
            assertThat(store.forComponent("check").get("k", String.class)).contains("v");
        }
    }
}
