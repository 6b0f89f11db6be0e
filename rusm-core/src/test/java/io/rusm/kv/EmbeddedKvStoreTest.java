package io.rusm.kv;

import io.rusm.Kv;
import io.rusm.KvException;
import io.rusm.Node;
import io.rusm.SpawnOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What only the embedded store does: its file, its lock, its open failures, and group commit off the carriers. */
@Timeout(90)
class EmbeddedKvStoreTest {
    @TempDir
    Path dir;

    @Test
    void theStoreIsAFileAndItsLogInTheDirectoryCreatedOnDemand() {
        Path storeDir = dir.resolve("a/b/rusm-data");
        try (KvStore store = KvStore.embedded(storeDir)) {
            store.forComponent("counter").put("count", 1);
            assertThat(store.description()).contains(storeDir.resolve("rusm-kv.mv.db").toString());
        }
        assertThat(storeDir.resolve("rusm-kv.mv.db")).isRegularFile();
        assertThat(storeDir.resolve("rusm-kv.wal")).isRegularFile().hasSize(WriteAheadLog.CAPACITY);
    }

    // ---- the log ----------------------------------------------------------------------------

    @Test
    void commitsAreDurableInTheLogAndReachTheStoreFileAtCheckpoints() throws Exception {
        MvStoreBackend backend = MvStoreBackend.open(dir);
        long atOpen = backend.checkpoints();
        for (int n = 0; n < 500; n++) {
            Backend.Transaction tx = backend.begin();
            tx.put("ns", "key-" + (n % 50), ("\"v" + n + "\"").getBytes(StandardCharsets.UTF_8));
            tx.commit();
        }
        assertThat(backend.checkpoints()).as("one sync per commit, in the log; the store file is not written").isEqualTo(atOpen);
        backend.crash(); // as kill -9: no checkpoint, no close
        try (KvStore store = KvStore.embedded(dir)) {
            Kv kv = store.forComponent("ns");
            for (int k = 0; k < 50; k++) assertThat(kv.get("key-" + k, String.class)).as("key-" + k).contains("v" + (450 + k));
        }
    }

    @Test
    void aReaderSeesAWriteOnlyOnceItsCommitIsDurable() throws Exception {
        MvStoreBackend backend = MvStoreBackend.open(dir);
        try {
            Backend.Transaction tx = backend.begin();
            tx.put("ns", "k", "1".getBytes(StandardCharsets.UTF_8));
            assertThat(backend.read("ns", "k")).as("before its commit").isNull();
            tx.commit();
            assertThat(backend.read("ns", "k")).isEqualTo("1".getBytes(StandardCharsets.UTF_8));
        } finally {
            backend.close();
        }
    }

    @Test
    void aDeleteSeesThePutsOfItsOwnCommit() throws Exception {
        MvStoreBackend backend = MvStoreBackend.open(dir);
        try {
            Backend.Transaction first = backend.begin();
            first.put("ns", "kept", "1".getBytes(StandardCharsets.UTF_8));
            first.commit();
            Backend.Transaction tx = backend.begin();
            tx.put("ns", "new", "2".getBytes(StandardCharsets.UTF_8));
            assertThat(tx.delete("ns", "new")).as("put earlier in the same commit").isTrue();
            assertThat(tx.delete("ns", "new")).as("deleted earlier in the same commit").isFalse();
            assertThat(tx.delete("ns", "missing")).isFalse();
            assertThat(tx.delete("ns", "kept")).isTrue();
            tx.commit();
            assertThat(backend.read("ns", "new")).isNull();
            assertThat(backend.read("ns", "kept")).isNull();
        } finally {
            backend.crash();
        }
        try (KvStore store = KvStore.embedded(dir)) {
            assertThat(store.forComponent("ns").keys("")).isEmpty();
        }
    }

    @Test
    void aStoreFileCreatedAnewBesideAnOldLogStartsEmpty() throws Exception {
        MvStoreBackend backend = MvStoreBackend.open(dir);
        Backend.Transaction tx = backend.begin();
        tx.put("ns", "k", "1".getBytes(StandardCharsets.UTF_8));
        tx.commit(); // in the log only
        backend.crash();
        Files.delete(dir.resolve(MvStoreBackend.FILE_NAME)); // an operator's reset, the log left behind
        try (KvStore store = KvStore.embedded(dir)) {
            assertThat(store.forComponent("ns").keys("")).as("nothing of the old store comes back").isEmpty();
        }
    }

    @Test
    void aWriteLargerThanTheLogGoesStraightToTheStoreFile() throws Exception {
        String big = "x".repeat(WriteAheadLog.CAPACITY + 1);
        MvStoreBackend backend = MvStoreBackend.open(dir);
        KvStore store = KvStore.over(backend);
        store.forComponent("ns").put("big", big);
        store.forComponent("ns").put("small", "s");
        backend.crash();
        try (KvStore reopened = KvStore.embedded(dir)) {
            assertThat(reopened.forComponent("ns").get("big", String.class)).contains(big);
            assertThat(reopened.forComponent("ns").get("small", String.class)).contains("s");
        }
    }

    @Test
    void housekeepingCompactsWithoutLosingEntries() throws Exception {
        MvStoreBackend backend = MvStoreBackend.open(dir);
        try {
            for (int round = 0; round < 200; round++) {
                Backend.Transaction tx = backend.begin();
                for (int k = 0; k < 50; k++) tx.put("ns", "key-" + k, ("\"v" + round + "\"").getBytes(StandardCharsets.UTF_8));
                tx.commit();
            }
            backend.idle();
        } finally {
            backend.close();
        }
        try (KvStore store = KvStore.embedded(dir)) {
            Kv kv = store.forComponent("ns");
            assertThat(kv.keys("key-")).hasSize(50);
            for (int k = 0; k < 50; k++) assertThat(kv.get("key-" + k, String.class)).contains("v199");
        }
    }

    // ---- open failures ----------------------------------------------------------------------

    @Test
    void aPathUnderARegularFileCannotBeOpened() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");
        Path storeDir = file.resolve("rusm-data");
        assertThatThrownBy(() -> KvStore.embedded(storeDir))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("cannot open the embedded Kv store")
                .hasMessageContaining(storeDir.toString());
    }

    @Test
    void aPathThatIsARegularFileCannotBeOpened() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");
        assertThatThrownBy(() -> KvStore.embedded(file))
                .isInstanceOf(KvException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("must be a directory");
    }

    @Test
    void aFileThatIsNotAStoreCannotBeOpened() throws Exception {
        Files.write(dir.resolve("rusm-kv.mv.db"), "garbage, not an MVStore file".repeat(300).getBytes());
        assertThatThrownBy(() -> KvStore.embedded(dir))
                .isInstanceOf(KvException.class)
                .hasMessageContaining(dir.resolve("rusm-kv.mv.db").toString());
    }

    @Test
    void aStoreOpenInThisJvmIsLocked() {
        try (KvStore first = KvStore.embedded(dir)) {
            first.forComponent("c").put("k", 1);
            assertThatThrownBy(() -> KvStore.embedded(dir))
                    .isInstanceOf(KvException.class)
                    .hasMessageContaining("locked")
                    .hasMessageContaining(dir.resolve("rusm-kv.mv.db").toString());
        }
    }

    @Test
    void aStoreOpenInAnotherProcessIsLockedUntilThatProcessDies() throws Exception {
        Path storeDir = dir.resolve("kv");
        try (ChildJvm holder = ChildJvm.start(dir, line -> { }, "hold", storeDir.toString()).awaitOpen()) {
            assertThatThrownBy(() -> KvStore.embedded(storeDir))
                    .isInstanceOf(KvException.class)
                    .hasMessageContaining("locked by another process");
            holder.kill();
        }
        try (KvStore store = KvStore.embedded(storeDir)) { // the OS released the lock with the process
            store.forComponent("c").put("k", 1);
        }
    }

    // ---- group commit does not starve the carriers ----------------------------------------

    /**
     * 64 virtual threads put without pause while another virtual thread ping-pongs with a rusm
     * process on the same node: the ping-pong keeps making progress during the storm, and the puts
     * share syncs. A fiber that commits its own put holds its carrier through the sync, so this
     * also checks the time slice: once every few commits a fiber leaves its write to the writer
     * thread and parks, and the puts queued meanwhile share that sync (without the slice, one
     * writer committed alone, over and over, and the other 63 never ran).
     */
    @Test
    void otherFibersKeepRunningWhileWritersSync() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong pings = new AtomicLong();
        AtomicLong puts = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        try (Node node = Node.create(); KvStore store = KvStore.embedded(dir)) {
            node.spawn(SpawnOptions.named("echo"), message -> message);
            threads.add(Thread.ofVirtual().name("pinger").start(() -> guard(failure, () -> {
                while (!stop.get()) {
                    Integer reply = node.call("echo", 1);
                    if (reply == 1) pings.incrementAndGet();
                }
            })));
            String value = "x".repeat(512);
            for (int w = 0; w < 64; w++) {
                Kv kv = store.forComponent("writer-" + w);
                threads.add(Thread.ofVirtual().name("writer-" + w).start(() -> guard(failure, () -> {
                    for (int n = 0; !stop.get(); n++) {
                        kv.put("key-" + (n % 32), value);
                        puts.incrementAndGet();
                    }
                })));
            }
            try {
                await("the put storm is on").atMost(Duration.ofSeconds(30)).until(() -> puts.get() >= 640 || failure.get() != null);
                long pingsBefore = pings.get();
                long putsBefore = puts.get();
                long syncsBefore = store.syncCount();
                await("ping-pong progress while the writer syncs").atMost(Duration.ofSeconds(30))
                        .until(() -> failure.get() != null
                                || (pings.get() - pingsBefore >= 500 && store.syncCount() - syncsBefore >= 20));
                long putsDuring = puts.get() - putsBefore;
                long syncsDuring = store.syncCount() - syncsBefore;
                assertThat(failure.get()).isNull();
                assertThat(putsDuring).as("puts during the window").isPositive();
                assertThat(syncsDuring).as("syncs during the window, for %d puts (%d syncs, %d pings)", putsDuring, syncsDuring, pings.get() - pingsBefore).isPositive().isLessThan(putsDuring);
            } finally {
                stop.set(true);
                for (Thread t : threads) assertThat(t.join(Duration.ofSeconds(30))).as("%s ended", t.getName()).isTrue();
            }
            assertThat(failure.get()).isNull();
            assertThat(store.syncCount()).isLessThan(store.writeCount());
        }
    }

    private static void guard(AtomicReference<Throwable> failure, ThrowingRunnable body) {
        try {
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
