package io.rusm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every benchmark's workload a few times on every system, so a change in rusm's API or
 * behaviour that breaks a benchmark fails the build, not the next benchmark run. Measures nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkloadSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"direct-synchronized", "direct-lock", "vt-queue", "pekko", "rusm", "rusm-client"})
    void callAndCast(String system) {
        try (Counter counter = Counter.start(system)) {
            assertThat(Load.onVirtualThreads(4, 10, () -> counter.call(1))).isPositive();
            Load.onVirtualThreads(2, 50, () -> {
                counter.cast(1);
                return 0;
            });
            assertThat(counter.sync()).isEqualTo(140);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "vt-queue", "pekko", "rusm", "rusm-service"})
    void spawnRegisterFirstCall(String system) {
        try (Spawner spawner = Spawner.create(system)) {
            for (int i = 0; i < 3; i++) assertThat(spawner.spawnAndCall("smoke-" + i)).isEqualTo(1);
            spawner.stopAll();
            if (spawner instanceof Spawner.RusmService s) s.renewNode();
            assertThat(spawner.spawnAndCall("smoke-again")).isEqualTo(1);
        }
    }

    @Test
    void keyedActivationsAndHotKeys() {
        KeyedBench bench = new KeyedBench();
        bench.setup();
        try {
            bench.markFresh();
            assertThat(bench.activation()).isEqualTo(KeyedBench.CALLERS * KeyedBench.ACTIVATIONS_PER_CALLER); // each a fresh key: 1
            bench.killFresh();
            assertThat(bench.hotKeys64()).isGreaterThan(KeyedBench.CALLERS * KeyedBench.CALLS_PER_CALLER);
        } finally {
            bench.tearDown();
        }
    }

    /** Keyed on one JVM, Pekko Cluster Sharding (a one-node cluster) and rusm: a few hundred ms each, checked. */
    @ParameterizedTest
    @ValueSource(strings = {"pekko-sharding", "rusm"})
    void keyedAgainstPekkoSharding(String system) throws Exception {
        assertThat(PekkoShardingMain.run(system, 100, 200)).anyMatch(l -> l.startsWith("RESULT keyed.activation " + system))
                .anyMatch(l -> l.startsWith("RESULT keyed.hot64 " + system));
    }

    /** Two JVMs (this one and node b), a fraction of a second per figure: starts, measures, checks, stops b. */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void crossNodeCallInTwoJvms() throws Exception {
        ClusterCallMain.runFirstNode(200, 300); // throws, naming the check, when a figure was not measured or checked
    }

    @ParameterizedTest
    @ValueSource(strings = {"vt-queue", "pekko", "rusm"})
    void crashAndServeAgain(String system) {
        RestartBench bench = new RestartBench();
        bench.system = system;
        bench.setup();
        try {
            for (int i = 0; i < 3; i++) assertThat(bench.crashToServing()).isZero(); // a fresh incarnation: count 0
        } finally {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "256MB"})
    void cacheGets(String cap) {
        MemoryCapBench bench = new MemoryCapBench();
        bench.cap = cap;
        bench.setup();
        try {
            assertThat(bench.get16Callers()).isPositive();
        } finally {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rusm-kv", "raw-fsync"})
    void durablePuts(String system, @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        System.setProperty("rusm.bench.kvdir", dir.toString());
        KvBench bench = new KvBench();
        bench.system = system;
        bench.setup();
        try {
            assertThat(bench.oneWriter()).isPositive();
        } finally {
            bench.tearDown();
            System.clearProperty("rusm.bench.kvdir");
        }
    }

    @Test
    void manyServicesBusyAtOnce() throws Exception {
        assertThat(ScalingMain.run(100, 200)).isPositive();
    }

    @Test
    void reportRendersATable(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("erlang.txt"), "RESULT call.1 erlang 2000 ns\n");
        Files.writeString(dir.resolve("memory.txt"), "RESULT memory rusm-service 900 B\nRESULT memory erlang 2700 B\n");
        Files.writeString(dir.resolve("jmh.json"), """
                [{"benchmark": "io.rusm.bench.CallBench.oneCaller", "mode": "avgt", "params": {"system": "rusm-client"},
                  "primaryMetric": {"score": 1000.0, "scoreUnit": "ns/op"}}]""");
        String table = Report.write(dir);
        assertThat(Files.readString(dir.resolve("table.md"))).isEqualTo(table);
        assertThat(table).contains("| call round trip, 1 caller (ns) | 1,000 ns |").contains("2,000 ns (0.50×)")
                .contains("| ≤ 1 KB retained heap per idle service | 900 B | yes |");
    }

    @Test
    void durableNextToANeighbourPrintsBothCallersFigures(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        System.setProperty("rusm.bench.kvdir", dir.toString());
        java.io.PrintStream stdout = System.out;
        var captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            KvMain.main(new String[] {"neighbour", "1", "100"});
        } finally {
            System.setOut(stdout);
            System.clearProperty("rusm.bench.kvdir");
        }
        String out = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        stdout.print(out);
        // each caller kind ends with its figures, or with the finding that a call timed out (the
        // platform caller's known gap, README "Durable state"): never with a crash of the run
        for (String caller : List.of("virtual-caller", "platform-caller")) {
            assertThat(out).containsPattern("RESULT kv-neighbour.(busy " + caller + " [1-9][0-9]* puts/s|stalled " + caller + " 1 timeouts)");
        }
        Path results = Files.createDirectory(dir.resolve("results"));
        Files.writeString(results.resolve("kv-neighbour.txt"), out);
        String table = Report.write(results);
        for (String caller : List.of("virtual caller", "platform caller")) {
            assertThat(table).containsPattern("\\| durable service next to a saturating neighbour ≥ 50% of its throughput alone \\(" + caller
                    + "\\) \\| ([0-9]+% \\(|a call timed out)");
        }
    }

    @Test
    void tickLatenessRowsComeFromTheTickResultFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ticks-rusm.txt"), "RESULT tick.p50 rusm 100 us\nRESULT tick.p99 rusm 3000 us\n");
        Files.writeString(dir.resolve("ticks-erlang.txt"), "RESULT tick.p50 erlang 200 us\n");
        assertThat(Report.write(dir)).contains("| timer tick lateness under load, p50 (second column: ZGC) (µs) | 100 µs | – | 200 µs (0.50×) |");
    }

    @Test
    void tickLatenessHistogramQuantiles() {
        TickLatencyMain.Histogram h = new TickLatencyMain.Histogram();
        for (int i = 0; i < 99; i++) h.record(55);   // the 10 µs bucket [50, 60)
        h.record(20_500);                            // the 1 ms bucket [20, 21) ms
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.quantile(0.5)).isEqualTo(60);
        assertThat(h.quantile(0.99)).isEqualTo(60);
        assertThat(h.quantile(1.0)).isEqualTo(21_000);
    }
}
