package io.rusm.kv;

import io.rusm.Kv;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who runs a group commit (GroupCommitWriter): with the embedded store, a caller that finds nobody
 * committing commits its own write on its own thread, and so needs no wake-up; a fiber leaves its
 * write to the writer thread once per time slice; a JDBC-like backend always uses the writer
 * thread. What interrupts and kills in the middle of a fiber's own commit do: {@link KvInterruptTest}.
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
            return new ForwardingTransaction(delegate.begin()) {
                @Override
                public void commit() throws Exception {
                    committers.add(Thread.currentThread());
                    super.commit();
                }
            };
        }
    }

    @Test
    void a_fiber_on_an_idle_embedded_store_commits_its_puts_itself() throws Exception {
        RecordingBackend backend = new RecordingBackend(MvStoreBackend.open(dir), true);
        assertThat(backend.delegate.callerCommits()).as("the embedded store lets callers commit").isTrue();
        int puts = 4 * (GroupCommitWriter.FIBER_COMMITS_PER_SLICE + 1);
        Thread fiber = putLoop(backend, puts);
        long own = backend.committers.stream().filter(t -> t == fiber).count();
        // all of them, unless other tests' fibers happen to keep the carriers busy in this JVM: then
        // the time slice may leave one in FIBER_COMMITS_PER_SLICE + 1 to the writer thread
        assertThat(own).as("commits run on the putting fiber itself, of %d", backend.committers.size())
                .isGreaterThanOrEqualTo(puts - puts / (GroupCommitWriter.FIBER_COMMITS_PER_SLICE + 1));
        assertThat(backend.committers).allSatisfy(t -> assertThat(t == fiber || t.getName().equals("rusm-kv-writer")).isTrue());
    }

    /**
     * The time slice: while something waits for a carrier, a fiber that commits its own puts leaves
     * one in {@value GroupCommitWriter#FIBER_COMMITS_PER_SLICE}+1 to the writer thread and parks.
     * The carriers are kept busy by virtual threads ping-ponging with rusm services, two pairs per
     * carrier. The putter is started before the load: the JDK submits a starting virtual thread to
     * the scheduler's external queue, which carriers full of ping-pong never look at.
     */
    @Test
    void a_fiber_that_commits_its_own_puts_gives_its_carrier_up_once_per_slice_while_others_wait_for_one() throws Exception {
        RecordingBackend backend = new RecordingBackend(MvStoreBackend.open(dir), true);
        AtomicBoolean go = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        int puts = 10 * (GroupCommitWriter.FIBER_COMMITS_PER_SLICE + 1);
        try (Node node = Node.create(); KvStore store = KvStore.over(backend)) {
            Kv kv = store.forComponent("c");
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
            Thread fiber = Thread.ofVirtual().name("putter").start(() -> {
                ready.countDown();
                while (!go.get()) java.util.concurrent.locks.LockSupport.park(); // released through FiberWakeups
                for (int i = 0; i < puts; i++) kv.put("k", i);
            });
            List<Pid> echoes = new ArrayList<>();
            int pairs = 2 * java.lang.Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < pairs; i++) echoes.add(node.spawn(SpawnOptions.named("echo-" + i), message -> message));
            List<Thread> callers = new ArrayList<>();
            for (Pid echo : echoes) {
                callers.add(Thread.ofVirtual().start(() -> {
                    while (!stop.get()) node.call(echo, 1);
                }));
            }
            try {
                assertThat(ready.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                // (not every caller may get to start: see above; those that did keep the carriers busy)
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(io.rusm.internal.process.FiberWakeups::allCarriersBusy);
                go.set(true);
                io.rusm.internal.process.FiberWakeups.unpark(fiber);
                assertThat(fiber.join(Duration.ofSeconds(60))).as("the puts ended").isTrue();
                assertThat(kv.get("k", Integer.class)).contains(puts - 1);
            } finally {
                stop.set(true);
                for (Thread t : callers) assertThat(t.join(Duration.ofSeconds(30))).isTrue();
            }
            long own = backend.committers.stream().filter(t -> t == fiber).count();
            long writer = backend.committers.stream().filter(t -> t.getName().equals("rusm-kv-writer")).count();
            assertThat(own + writer).as("every commit by the fiber or the writer thread").isEqualTo(backend.committers.size());
            assertThat(own).as("commits on the putting fiber itself").isPositive();
            assertThat(writer).as("puts left to the writer thread, one per slice while the carriers were busy").isGreaterThanOrEqualTo(2);
        }
    }

    /** Puts {@code puts} values from one fiber through {@code backend}, then checks the last one is there. */
    private static Thread putLoop(RecordingBackend backend, int puts) throws InterruptedException {
        Thread fiber;
        try (KvStore store = KvStore.over(backend)) {
            Kv kv = store.forComponent("c");
            fiber = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < puts; i++) kv.put("k", i);
            });
            assertThat(fiber.join(Duration.ofSeconds(60))).isTrue();
            assertThat(kv.get("k", Integer.class)).contains(puts - 1);
        }
        return fiber;
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
}
