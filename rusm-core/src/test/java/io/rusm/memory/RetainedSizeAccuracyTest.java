package io.rusm.memory;

import io.rusm.internal.memory.RetainedSize;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory-cap walker against OpenJDK JOL's exact graph size on structures of known shape. JOL
 * reads the real layout; the walker models JDK collections from their public API, so it may be off
 * by a little, never by much. The printed table is the one in the README.
 */
class RetainedSizeAccuracyTest {
    static {
        // JOL cannot ask Unsafe for offsets of record fields; this makes it find them another way.
        System.setProperty("jol.magicFieldOffset", "true");
    }

    record Order(long id, String customer, List<String> items) {}

    static final class State {
        final Map<String, Order> orders = new HashMap<>();
        long version;
    }

    private static final Map<String, Supplier<Object>> GRAPHS = new LinkedHashMap<>();
    static {
        GRAPHS.put("String, 1,000 ASCII chars", () -> "x".repeat(1_000));
        GRAPHS.put("String, 1,000 non-Latin-1 chars", () -> "\u20ac".repeat(1_000));
        GRAPHS.put("HashMap<String,String>, 10,000 entries", () -> {
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < 10_000; i++) m.put("key-" + i, "value-" + i);
            return m;
        });
        GRAPHS.put("LinkedHashMap<String,Long>, 10,000 entries", () -> {
            Map<String, Long> m = new LinkedHashMap<>();
            for (int i = 0; i < 10_000; i++) m.put("k" + i, 1_000_000L + i);
            return m;
        });
        GRAPHS.put("TreeMap<Integer,String>, 10,000 entries", () -> {
            Map<Integer, String> m = new TreeMap<>();
            for (int i = 0; i < 10_000; i++) m.put(1_000 + i, "v" + i);
            return m;
        });
        GRAPHS.put("ArrayList<Long>, 10,000 elements", () -> {
            List<Long> l = new ArrayList<>(10_000);
            for (int i = 0; i < 10_000; i++) l.add(1_000L + i);
            return l;
        });
        GRAPHS.put("LinkedList<String>, 10,000 elements", () -> {
            List<String> l = new LinkedList<>();
            for (int i = 0; i < 10_000; i++) l.add("e" + i);
            return l;
        });
        GRAPHS.put("long[100,000]", () -> new long[100_000]);
        GRAPHS.put("service state: 2,000 records with lists", () -> {
            State s = new State();
            for (int i = 0; i < 2_000; i++) s.orders.put("o" + i, new Order(i, "customer-" + i, new ArrayList<>(List.of("a" + i, "b" + i))));
            return s;
        });
    }

    @Test
    void walker_stays_within_15_percent_of_jol_on_known_structures() {
        StringBuilder table = new StringBuilder("| structure | JOL bytes | rusm bytes | rusm / JOL |\n|---|---:|---:|---:|\n");
        for (var e : GRAPHS.entrySet()) {
            Object graph = e.getValue().get();
            long jol = GraphLayout.parseInstance(graph).totalSize();
            long ours = RetainedSize.of(graph, o -> false);
            double ratio = (double) ours / jol;
            table.append(String.format("| %s | %,d | %,d | %.2f |%n", e.getKey(), jol, ours, ratio));
            assertThat(ratio).as(e.getKey() + ": rusm %d vs JOL %d bytes", ours, jol).isBetween(0.85, 1.15);
        }
        System.out.println("Memory walker accuracy (JDK " + Runtime.version().feature() + "):\n" + table);
    }

    @Test
    void shared_objects_are_not_charged() {
        Map<String, String> shared = new HashMap<>();
        for (int i = 0; i < 1_000; i++) shared.put("k" + i, "v" + i);
        record Holder(Map<String, String> config, long[] own) {}
        Holder h = new Holder(shared, new long[10]);
        long withShared = RetainedSize.of(h, o -> false);
        long withoutShared = RetainedSize.of(h, o -> o == shared);
        assertThat(withoutShared).isLessThan(200);
        assertThat(withShared).isGreaterThan(withoutShared + 50_000);
    }

    @Test
    void cycles_and_deep_chains_are_walked_once_without_recursion() {
        final class NodeBox {
            NodeBox next;
        }
        NodeBox head = new NodeBox();
        NodeBox cur = head;
        for (int i = 0; i < 1_000_000; i++) {
            cur.next = new NodeBox();
            cur = cur.next;
        }
        cur.next = head; // a cycle over a million objects
        long bytes = RetainedSize.of(head, o -> false);
        assertThat(bytes).isEqualTo(1_000_001L * 16);
    }
}
