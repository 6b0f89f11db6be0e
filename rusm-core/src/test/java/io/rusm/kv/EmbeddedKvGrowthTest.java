package io.rusm.kv;

import io.rusm.Kv;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store's file stays within a small multiple of its live data however often keys are
 * overwritten (it grew by ~16 KB per group commit before: 330 MB after 20,000 puts to 1,000 keys)
 * and its log keeps its fixed size; the store reopens fast after a crash, and a file grown by an older version shrinks once the writer is idle.
 * The full-size run (1,000,000 puts) is {@code KvChurnBench} in rusm-bench.
 */
@Timeout(120)
class EmbeddedKvGrowthTest {
    private static final long MB = 1 << 20;
    private static final int KEYS = 1_000;
    private static final int PUTS = 20_000;
    private static final int WRITERS = 8;

    @TempDir
    Path dir;

    record Entry(long n, String text) {}

    @Test
    void many_overwrites_keep_the_file_within_three_times_the_live_data_plus_8_mb_and_it_reopens_fast() throws Exception {
        MvStoreBackend backend = MvStoreBackend.open(dir);
        KvStore store = KvStore.over(backend);
        Kv kv = store.forComponent("churn");
        AtomicLong sequence = new AtomicLong();
        long[] lastOfKey = new long[KEYS];
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < WRITERS; w++) {
                done.add(writers.submit(() -> {
                    for (long n; (n = sequence.incrementAndGet()) <= PUTS; ) {
                        int key = (int) (n % KEYS);
                        kv.put(key(key), new Entry(n, "value-" + n));
                        synchronized (lastOfKey) {
                            lastOfKey[key] = Math.max(lastOfKey[key], n);
                        }
                    }
                    return null;
                }));
            }
        }
        for (Future<?> f : done) f.get(); // a writer's failure fails the test
        long live = 0;
        for (int k = 0; k < KEYS; k++) {
            byte[] json = ("{\"n\":" + lastOfKey[k] + ",\"text\":\"value-" + lastOfKey[k] + "\"}").getBytes(StandardCharsets.UTF_8);
            live += key(k).length() + json.length;
        }
        long size = backend.fileSize();
        String figures = "%,d puts in %,d commits, %,d compactions: file %,d bytes for %,d bytes of live data"
                .formatted(store.writeCount(), store.syncCount(), store.compactions(), size, live);
        System.out.println("[kv-growth] " + figures);
        assertThat(store.syncCount()).as("enough commits to have grown the file before: " + figures).isGreaterThan(PUTS / 20);
        assertThat(size).as(figures).isLessThanOrEqualTo(3 * live + 8 * MB);
        assertThat(Files.size(dir.resolve(WriteAheadLog.FILE_NAME))).as("the log never grows").isEqualTo(WriteAheadLog.CAPACITY);

        backend.crash(); // no close: as after kill -9
        long start = System.nanoTime();
        try (KvStore reopened = KvStore.embedded(dir)) {
            Kv again = reopened.forComponent("churn");
            long reopenNanos = System.nanoTime() - start;
            assertThat(reopenNanos).as("reopen after a crash, " + figures).isLessThan(1_000_000_000L);
            for (int k = 0; k < KEYS; k++) {
                assertThat(again.get(key(k), Entry.class).map(Entry::n)).as(key(k)).contains(lastOfKey[k]);
            }
        }
    }

    @Test
    void a_file_grown_by_an_older_version_shrinks_when_the_writer_is_idle() throws Exception {
        Path file = dir.resolve(MvStoreBackend.FILE_NAME);
        // What the store did before: background writer off, the default 45 s retention, a chunk per commit.
        MVStore old = new MVStore.Builder().fileName("async:" + file).autoCommitDisabled().autoCommitBufferSize(0).open();
        MVMap<String, byte[]> map = old.openMap("kv:old", new MVMap.Builder<String, byte[]>()
                .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        for (int n = 0; n < 3_000; n++) {
            map.put(key(n % KEYS), ("\"v" + n + "\"").getBytes(StandardCharsets.UTF_8));
            old.commit();
        }
        old.close();
        long grown = Files.size(file);
        assertThat(grown).as("the old settings grow the file").isGreaterThan(20 * MB);

        MvStoreBackend backend = MvStoreBackend.open(dir);
        try {
            for (int i = 0; i < 20 && backend.fileSize() > 8 * MB; i++) backend.idle();
            assertThat(backend.fileSize()).as("after idle housekeeping, grown to %,d bytes before", grown).isLessThan(8 * MB);
            assertThat(new String(backend.read("old", key(2_999 % KEYS)), StandardCharsets.UTF_8)).isEqualTo("\"v2999\"");
        } finally {
            backend.close();
        }
        try (KvStore reopened = KvStore.embedded(dir)) {
            assertThat(reopened.forComponent("old").keys("")).hasSize(KEYS);
        }
    }

    private static String key(int n) {
        return "k%05d".formatted(n);
    }
}
