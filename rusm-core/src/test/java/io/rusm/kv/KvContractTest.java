package io.rusm.kv;

import io.rusm.Kv;
import io.rusm.KvException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link KvStore} backend must do, whatever it stores into. A subclass says how to open
 * (and reopen) its store over the same underlying storage.
 */
@Timeout(60)
abstract class KvContractTest {
    protected KvStore store;
    protected Kv counter;

    /** Opens a store over this test's storage; called again after a close to reopen it. */
    protected abstract KvStore openStore();

    @BeforeEach
    void open() {
        store = openStore();
        counter = store.forComponent("counter");
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) store.close();
    }

    record Point(int x, int y) {}

    record Order(String id, List<Point> path, Map<String, Integer> stock, Instant at, Optional<String> note) {}

    // ---- get / put / delete -----------------------------------------------------------------

    @Test
    void getOfAMissingKeyIsEmpty() {
        assertThat(counter.get("nothing", String.class)).isEmpty();
    }

    @Test
    void putThenGet() {
        counter.put("count", 41L);
        assertThat(counter.get("count", Long.class)).contains(41L);
    }

    @Test
    void putReplacesTheValue() {
        counter.put("count", 1L);
        counter.put("count", 2L);
        assertThat(counter.get("count", Long.class)).contains(2L);
    }

    @Test
    void deleteRemovesAndReportsWhetherThereWasAValue() {
        counter.put("count", 1L);
        assertThat(counter.delete("count")).isTrue();
        assertThat(counter.get("count", Long.class)).isEmpty();
        assertThat(counter.delete("count")).isFalse();
        assertThat(store.forComponent("never-written").delete("count")).isFalse();
    }

    @Test
    void nullValuesAndEmptyKeysAreRejected() {
        assertThatThrownBy(() -> counter.put("count", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delete");
        assertThatThrownBy(() -> counter.put("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> counter.get(null, String.class)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> store.forComponent("")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- keys -------------------------------------------------------------------------------

    @Test
    void keysByPrefixInOrder() {
        for (String key : List.of("user:2", "user:10", "user:1", "order:1", "users", "use")) counter.put(key, key);
        assertThat(counter.keys("user:")).containsExactly("user:1", "user:10", "user:2");
        assertThat(counter.keys("user")).containsExactly("user:1", "user:10", "user:2", "users");
        assertThat(counter.keys("")).containsExactly("order:1", "use", "user:1", "user:10", "user:2", "users");
        assertThat(counter.keys("nobody")).isEmpty();
        assertThat(store.forComponent("never-written").keys("")).isEmpty();
    }

    @Test
    void keysTreatPatternCharactersLiterally() {
        for (String key : List.of("a%b", "a_b", "axb", "a!b", "a\\b", "a%c")) counter.put(key, 1);
        assertThat(counter.keys("a%")).containsExactly("a%b", "a%c");
        assertThat(counter.keys("a_")).containsExactly("a_b");
        assertThat(counter.keys("a!")).containsExactly("a!b");
        assertThat(counter.keys("a\\")).containsExactly("a\\b");
    }

    @Test
    void keysReflectDeletes() {
        counter.put("k1", 1);
        counter.put("k2", 2);
        counter.delete("k1");
        assertThat(counter.keys("k")).containsExactly("k2");
    }

    // ---- namespaces -------------------------------------------------------------------------

    @Test
    void componentsAreIsolated() {
        Kv other = store.forComponent("other");
        counter.put("shared-name", "counter's");
        other.put("shared-name", "other's");
        other.put("only-other", true);

        assertThat(counter.get("shared-name", String.class)).contains("counter's");
        assertThat(other.get("shared-name", String.class)).contains("other's");
        assertThat(counter.keys("")).containsExactly("shared-name");
        assertThat(counter.get("only-other", Boolean.class)).isEmpty();

        assertThat(counter.delete("shared-name")).isTrue();
        assertThat(other.get("shared-name", String.class)).contains("other's");
    }

    @Test
    void componentNamesThatLookLikePrefixesAreStillIsolated() {
        store.forComponent("a").put("b:c", 1);
        store.forComponent("a:b").put("c", 2);
        assertThat(store.forComponent("a").keys("")).containsExactly("b:c");
        assertThat(store.forComponent("a:b").keys("")).containsExactly("c");
    }

    // ---- types ------------------------------------------------------------------------------

    @Test
    void recordsWithNestedCollectionsAndTime() {
        Map<String, Integer> stock = new LinkedHashMap<>();
        stock.put("apples", 3);
        stock.put("pears", 0);
        Order order = new Order("o-1", List.of(new Point(1, 2), new Point(3, 4)), stock,
                Instant.parse("2025-01-02T03:04:05.678Z"), Optional.of("fragile"));
        counter.put("order", order);
        assertThat(counter.get("order", Order.class)).contains(order);
    }

    @Test
    void mapsListsArraysAndScalars() {
        counter.put("map", Map.of("a", 1, "b", 2));
        counter.put("list", List.of("x", "y", "z"));
        counter.put("points", List.of(new Point(1, 1), new Point(2, 2)));
        counter.put("string", "héllo, wörld ✓");
        counter.put("int", 7);
        counter.put("double", 2.5);
        counter.put("bool", false);

        assertThat(counter.get("map", Map.class)).contains(Map.of("a", 1, "b", 2));
        assertThat(counter.get("list", List.class)).contains(List.of("x", "y", "z"));
        assertThat(counter.get("points", Point[].class)).hasValueSatisfying(points ->
                assertThat(points).containsExactly(new Point(1, 1), new Point(2, 2)));
        assertThat(counter.get("string", String.class)).contains("héllo, wörld ✓");
        assertThat(counter.get("int", Integer.class)).contains(7);
        assertThat(counter.get("int", Long.class)).contains(7L);
        assertThat(counter.get("double", Double.class)).contains(2.5);
        assertThat(counter.get("bool", Boolean.class)).contains(false);
        assertThat(counter.get("map", Object.class)).contains(Map.of("a", 1, "b", 2));
    }

    @Test
    void unicodeKeys() {
        counter.put("ключ/🔑", 1);
        assertThat(counter.get("ключ/🔑", Integer.class)).contains(1);
        assertThat(counter.keys("ключ")).containsExactly("ключ/🔑");
    }

    @Test
    void aLargeValue() {
        String big = "x".repeat(1_000_000);
        counter.put("big", big);
        assertThat(counter.get("big", String.class)).contains(big);
    }

    // ---- unreadable values ------------------------------------------------------------------

    @Test
    void aCorruptValueFailsWithAnExceptionNamingTheKeyAndComponent() {
        store.putRaw("counter", "broken", "{\"x\": 1, oops".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> counter.get("broken", Point.class))
                .isInstanceOfSatisfying(KvException.class, e -> {
                    assertThat(e.key()).isEqualTo("broken");
                    assertThat(e.component()).isEqualTo("counter");
                })
                .hasMessageContaining("'broken'")
                .hasMessageContaining("'counter'")
                .hasMessageContaining("corrupt");
        // the rest of the namespace still works
        counter.put("fine", 1);
        assertThat(counter.get("fine", Integer.class)).contains(1);
    }

    @Test
    void aValueOfAnotherTypeFailsWithAnExceptionNamingTheKey() {
        counter.put("name", "not a point");
        assertThatThrownBy(() -> counter.get("name", Point.class))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("'name'")
                .hasMessageContaining(Point.class.getName());
    }

    @Test
    void anUnserializableValueFailsWithAnExceptionNamingTheKey() {
        Object selfReferencing = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        assertThatThrownBy(() -> counter.put("loop", selfReferencing))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("'loop'");
        assertThat(counter.get("loop", Object.class)).isEmpty();
    }

    // ---- durability and lifecycle -----------------------------------------------------------

    @Test
    void entriesSurviveCloseAndReopen() {
        counter.put("count", 3L);
        store.forComponent("other").put("order", new Point(5, 6));
        counter.put("gone", 1);
        counter.delete("gone");
        store.close();

        store = openStore();
        Kv reopened = store.forComponent("counter");
        assertThat(reopened.get("count", Long.class)).contains(3L);
        assertThat(reopened.get("gone", Integer.class)).isEmpty();
        assertThat(store.forComponent("other").get("order", Point.class)).contains(new Point(5, 6));
    }

    @Test
    void aClosedStoreRefusesWritesAndCloseIsIdempotent() {
        store.close();
        assertThatThrownBy(() -> counter.put("count", 1))
                .isInstanceOf(KvException.class)
                .hasMessageContaining("closed")
                .hasMessageContaining("'count'");
        store.close();
        store = null;
    }

    /**
     * 64 concurrent writers: every put is acknowledged and readable, and they share syncs (group
     * commit) instead of paying one each.
     */
    @Test
    void concurrentWritersShareCommits() throws Exception {
        int writers = 64;
        int putsEach = 20;
        long syncsBefore = store.syncCount();
        long writesBefore = store.writeCount();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    start.await();
                    Kv kv = store.forComponent("writer-" + (writer % 4));
                    for (int i = 0; i < putsEach; i++) kv.put("w" + writer + "-" + i, new Point(writer, i));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
        }
        int puts = writers * putsEach;
        long syncs = store.syncCount() - syncsBefore;
        assertThat(store.writeCount() - writesBefore).as("acknowledged writes").isEqualTo(puts);
        assertThat(syncs).as("syncs for %d concurrent puts", puts).isPositive().isLessThan(puts);
        for (int w = 0; w < writers; w++) {
            Kv kv = store.forComponent("writer-" + (w % 4));
            for (int i = 0; i < putsEach; i++) assertThat(kv.get("w" + w + "-" + i, Point.class)).contains(new Point(w, i));
        }
    }
}
