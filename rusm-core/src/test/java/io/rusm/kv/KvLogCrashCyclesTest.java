package io.rusm.kv;

import io.rusm.Kv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store's log across many crashes in a row, each at a different point: puts of mixed
 * sizes (some large enough that the log fills and checkpoints, and starts over, several times per
 * round), deletes among them, then a crash (no checkpoint, no close, as after kill -9) and a reopen.
 * After every reopen each key holds exactly its last acknowledged value, or nothing after its last
 * acknowledged delete: nothing acknowledged is lost, nothing older comes back, and replaying a log
 * over a store that already holds part of it applies nothing twice.
 */
@Timeout(120)
class KvLogCrashCyclesTest {
    private static final int ROUNDS = 12;
    private static final int KEYS = 40;

    @TempDir
    Path dir;

    record Entry(long n, String pad) {}

    @Test
    void everyAcknowledgedWriteSurvivesCrashAfterCrash() throws Exception {
        Random random = new Random(18);
        Map<String, Long> expected = new HashMap<>(); // key -> last acknowledged n; absent: deleted or never written
        long n = 0;
        long checkpointsSeen = 0;
        for (int round = 0; round < ROUNDS; round++) {
            MvStoreBackend backend = MvStoreBackend.open(dir);
            KvStore store = KvStore.over(backend);
            Kv kv = store.forComponent("cycles");
            for (var e : expected.entrySet()) {
                assertThat(kv.get(e.getKey(), Entry.class)).as("round %d, %s", round, e.getKey()).map(Entry::n).contains(e.getValue());
            }
            for (int k = 0; k < KEYS; k++) {
                String key = "k" + k;
                if (!expected.containsKey(key)) assertThat(kv.get(key, Entry.class)).as("round %d, %s", round, key).isEmpty();
            }
            long checkpointsAtOpen = backend.checkpoints();
            int puts = 50 + random.nextInt(250);
            for (int i = 0; i < puts; i++) {
                String key = "k" + random.nextInt(KEYS);
                if (random.nextInt(10) == 0) {
                    kv.delete(key);
                    expected.remove(key);
                } else {
                    // mostly small; one in four about 200 KB, so the 4 MB log fills every twenty or so of those
                    int size = random.nextInt(4) == 0 ? 150_000 + random.nextInt(100_000) : random.nextInt(200);
                    kv.put(key, new Entry(++n, "x".repeat(size)));
                    expected.put(key, n);
                }
            }
            checkpointsSeen += backend.checkpoints() - checkpointsAtOpen;
            backend.crash(); // acknowledged writes only in the log (since its last checkpoint) must come back
        }
        assertThat(checkpointsSeen).as("the log filled and started over within rounds").isGreaterThan(ROUNDS);
        try (KvStore store = KvStore.embedded(dir)) {
            Kv kv = store.forComponent("cycles");
            assertThat(kv.keys("")).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (var e : expected.entrySet()) assertThat(kv.get(e.getKey(), Entry.class)).map(Entry::n).contains(e.getValue());
        }
    }
}
