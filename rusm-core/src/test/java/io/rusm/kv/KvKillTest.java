package io.rusm.kv;

import io.rusm.Kv;
import io.rusm.kv.KvChildMain.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acknowledged means durable: a child JVM puts 10,000 keys from 100 concurrent virtual threads and
 * reports each put that returned; it is killed with SIGKILL (no shutdown hook, no close) once it
 * reported {@code killAfter} of them — mid-way, with writes in flight, or after all of them — and
 * every reported key must be in the store when it is reopened. The same holds while the store
 * compacts: a child overwriting 1,000 keys is killed after its compaction steps ran, in the middle
 * of a stream of puts, and every key holds at least its last acknowledged value.
 */
@Timeout(120)
class KvKillTest {
    private static final int PUTS = 10_000;
    private static final int THREADS = 100;
    /** A complete line only: a line cut by the kill must not count as an acknowledgement. */
    private static final Pattern ACKED = Pattern.compile("ACKED (k\\d{5}) ok");
    private static final Pattern CHURN_ACKED = Pattern.compile("ACKED (k\\d{5}) (\\d+) ok");
    private static final Pattern COMPACTIONS = Pattern.compile("COMPACTIONS (\\d+)");
    private static final int CHURN_PUTS = 1_000_000;
    private static final int CHURN_KEYS = 1_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "killed after {0} acknowledged puts")
    @ValueSource(ints = {5_000, PUTS})
    void everyAcknowledgedPutSurvivesKill9(int killAfter) throws Exception {
        Path storeDir = dir.resolve("kv");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (ChildJvm child = ChildJvm.start(dir, line -> {
            Matcher m = ACKED.matcher(line);
            if (m.matches()) acked.add(m.group(1));
        }, "write", storeDir.toString(), String.valueOf(PUTS), String.valueOf(THREADS)).awaitOpen()) {

            await("child acknowledged " + killAfter + " puts").atMost(Duration.ofSeconds(90)).until(() -> {
                if (!child.isAlive()) throw new AssertionError("child JVM died on its own: " + child.diagnostics());
                return acked.size() >= killAfter;
            });
            child.kill();
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        }

        assertThat(acked).hasSizeGreaterThanOrEqualTo(killAfter);
        try (KvStore store = KvStore.embedded(storeDir)) {
            Kv kv = store.forComponent(KvChildMain.COMPONENT);
            for (String key : acked) {
                int n = Integer.parseInt(key.substring(1));
                assertThat(kv.get(key, Entry.class)).as("acknowledged key %s", key).contains(Entry.of(n));
            }
            // nothing but what the child wrote, and at least what it acknowledged
            assertThat(kv.keys("k")).hasSizeBetween(acked.size(), PUTS).containsAll(acked);
        }
    }

    @Test
    void everyAcknowledgedPutSurvivesKill9DuringCompaction() throws Exception {
        Path storeDir = dir.resolve("kv");
        ConcurrentHashMap<String, Integer> lastAcked = new ConcurrentHashMap<>();
        AtomicLong acks = new AtomicLong();
        AtomicLong compactions = new AtomicLong();
        try (ChildJvm child = ChildJvm.start(dir, line -> {
            Matcher m = CHURN_ACKED.matcher(line);
            if (m.matches()) {
                lastAcked.merge(m.group(1), Integer.parseInt(m.group(2)), Math::max);
                acks.incrementAndGet();
                return;
            }
            Matcher c = COMPACTIONS.matcher(line);
            if (c.matches()) compactions.accumulateAndGet(Long.parseLong(c.group(1)), Math::max);
        }, "churn", storeDir.toString(), String.valueOf(CHURN_PUTS), "16", String.valueOf(CHURN_KEYS)).awaitOpen()) {
            await("child compacted while writing").atMost(Duration.ofSeconds(90)).until(() -> {
                if (!child.isAlive()) throw new AssertionError("child JVM died on its own: " + child.diagnostics());
                return compactions.get() >= 3 && acks.get() >= 10_000;
            });
            long before = acks.get();
            await("child still writing").atMost(Duration.ofSeconds(30)).until(() -> acks.get() > before + 500);
            child.kill();
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        }
        assertThat(acks.get()).as("killed mid-stream").isLessThan(CHURN_PUTS);
        try (KvStore store = KvStore.embedded(storeDir)) {
            Kv kv = store.forComponent(KvChildMain.COMPONENT);
            lastAcked.forEach((key, n) -> assertThat(kv.get(key, Entry.class).map(Entry::n))
                    .as("key %s, last acknowledged put %d", key, n).hasValueSatisfying(stored -> assertThat(stored).isGreaterThanOrEqualTo(n)));
            assertThat(kv.keys("k")).hasSize(CHURN_KEYS);
        }
    }
}
