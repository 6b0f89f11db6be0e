package io.rusm.bench;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one run's raw results into the markdown table of BENCHMARKS.md. Reads, in the results
 * directory: every {@code jmh*.json} (JMH's JSON output) and every {@code *.txt} file's
 * {@code RESULT <key> <system> <value> <unit>} lines (memory mains, the Erlang escript, wrk).
 * Writes {@code results.txt} (every figure, one per line) and {@code table.md}, and prints the table.
 *
 * <pre>java -cp rusm-bench.jar io.rusm.bench.Report bench/results/2026-01-01T12-00</pre>
 */
public final class Report {
    /** One figure; {@code error} is JMH's 99.9% confidence half-width (0 when there is none). */
    private record Figure(String key, String system, double value, String unit, double error) {}

    private final Map<String, Figure> figures = new LinkedHashMap<>();

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report <results directory>");
            System.exit(2);
        }
        System.out.print(write(Path.of(args[0])));
    }

    /** Reads the results in {@code dir}, writes {@code results.txt} and {@code table.md} there, returns the table. */
    public static String write(Path dir) throws IOException {
        Report report = new Report();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("jmh.*\\.json")).sorted().toList()) report.readJmh(p);
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".txt") && !f.getFileName().toString().equals("results.txt")).sorted().toList()) {
                report.readResultLines(p);
            }
        }
        StringBuilder all = new StringBuilder();
        report.figures.values().forEach(f -> all.append(f.error > 0
                ? String.format(Locale.ROOT, "%s %s %.4g %s ± %.2g%n", f.key, f.system, f.value, f.unit, f.error)
                : String.format(Locale.ROOT, "%s %s %.4g %s%n", f.key, f.system, f.value, f.unit)));
        Files.writeString(dir.resolve("results.txt"), all);
        String table = report.table();
        Files.writeString(dir.resolve("table.md"), table);
        return table;
    }

    // ---- reading --------------------------------------------------------------------------

    private void put(String key, String system, double value, String unit) {
        put(key, system, value, unit, 0);
    }

    private void put(String key, String system, double value, String unit, double error) {
        figures.put(key + " " + system, new Figure(key, system, value, unit, error));
    }

    private Figure get(String key, String system) {
        return figures.get(key + " " + system);
    }

    private void readResultLines(Path file) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 5 && f[0].equals("RESULT")) {
                try {
                    put(f[1], f[2], Double.parseDouble(f[3]), f[4]);
                } catch (NumberFormatException ignored) {
                    // a malformed line is left out of the table
                }
            }
        }
    }

    private void readJmh(Path file) throws IOException {
        if (!Files.exists(file)) return;
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(file));
        for (JsonNode run : root) {
            String benchmark = run.path("benchmark").asString();
            String method = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            JsonNode params = run.path("params");
            String system = params.has("system") ? params.path("system").asString() : "cap-" + params.path("cap").asString();
            JsonNode metric = run.path("primaryMetric");
            double score = metric.path("score").asDouble();
            double error = metric.path("scoreError").asDouble(0);
            if (Double.isNaN(error)) error = 0;
            String unit = metric.path("scoreUnit").asString().replace("/op", "");
            switch (method) {
                case "CallBench.oneCaller" -> put("call.1", system, score, unit, error);
                case "CallBench.callers64" -> put("call.64", system, score, unit, error);
                case "CastBench.oneSender" -> put("cast.1", system, score, unit, error);
                case "CastBench.fourSenders" -> put("cast.4", system, score, unit, error);
                case "SpawnBench.spawnRegisterFirstCall" -> put("spawn", system, score, unit, error);
                case "MemoryCapBench.get16Callers" -> put("memcap", system, score, unit, error);
                case "KvBench.oneWriter" -> put("kv.1", system, score, unit, error);
                case "KvBench.writers64" -> put("kv.64", system, score, unit, error);
                case "KeyedBench.activation" -> put("keyed.jmh.activation", "rusm", score, unit, error);
                case "KeyedBench.hotKeys64" -> put("keyed.jmh.hot64", "rusm", score, unit, error);
                case "RestartBench.crashToServing" -> {
                    JsonNode pct = metric.path("scorePercentiles");
                    put("restart.p50", system, pct.path("50.0").asDouble(), unit);
                    put("restart.p99", system, pct.path("99.0").asDouble(), unit);
                    put("restart.mean", system, score, unit, error);
                }
                default -> { }
            }
        }
    }

    // ---- the table ------------------------------------------------------------------------

    /** A row of the comparison table: the headline rusm figure against each baseline. */
    private record Row(String key, String label, String headline, String alternative, String displayUnit, String... baselines) {}

    private static final String[] COLUMNS = {"erlang", "pekko", "vt-queue", "direct-synchronized", "direct-lock"};

    private String table() {
        List<Row> rows = List.of(
                new Row("call.1", "call round trip, 1 caller", "rusm-client", "rusm", "ns", COLUMNS),
                new Row("call.64", "call, 64 concurrent callers, per call", "rusm-client", "rusm", "ns", COLUMNS),
                new Row("cast.1", "cast, 1 sender → 1 service, per message", "rusm-client", "rusm", "ns", COLUMNS),
                new Row("cast.4", "cast, 4 senders → 1 service, per message", "rusm-client", "rusm", "ns", COLUMNS),
                new Row("spawn", "spawn + register + first call, per service", "rusm-service", "rusm", "µs",
                        "erlang", "pekko", "vt-queue", "direct", "-"),
                new Row("memory", "retained heap per idle service (rusm: hibernated)", "rusm-service", "rusm", "B",
                        "erlang", "pekko", "vt-queue", "direct", "-"),
                new Row("memory-awake", "retained heap per idle service, rusm before it hibernates", "rusm-service", "rusm", "B",
                        "-", "-", "-", "-", "-"),
                new Row("restart.p50", "crash → serving again, p50", "rusm", null, "µs", "erlang", "pekko", "vt-queue", "-", "-"),
                new Row("restart.p99", "crash → serving again, p99", "rusm", null, "µs", "erlang", "pekko", "vt-queue", "-", "-"),
                // rusm column: G1 (as every other row); the raw-Behavior column shows the same run on ZGC.
                new Row("tick.p50", "timer tick lateness under load, p50 (second column: ZGC)", "rusm", "rusm-zgc", "µs", "erlang", "-", "-", "-", "-"),
                new Row("tick.p99", "timer tick lateness under load, p99 (second column: ZGC)", "rusm", "rusm-zgc", "µs", "erlang", "-", "-", "-", "-"));

        StringBuilder out = new StringBuilder();
        if (figures.keySet().stream().allMatch(k -> k.startsWith("cluster.") || k.startsWith("keyed."))) { // bench/run --cluster
            clusterTable(out);
            keyedTable(out);
            return out.toString();
        }
        out.append("| workload | rusm | rusm (raw Behavior) | Erlang/OTP | Pekko typed | VT + BlockingQueue | direct: synchronized | direct: ReentrantLock |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Figure head = get(r.key, r.headline);
            out.append("| ").append(r.label).append(" (").append(r.displayUnit).append(") | ");
            out.append(format(head, r.displayUnit)).append(" | ");
            out.append(r.alternative == null ? "–" : format(get(r.key, r.alternative), r.displayUnit)).append(" | ");
            for (String b : r.baselines) {
                if (b.equals("-")) {
                    out.append("– | ");
                    continue;
                }
                Figure base = get(r.key, b);
                out.append(format(base, r.displayUnit));
                if (head != null && base != null) out.append(" (").append(ratio(head, base)).append(")");
                out.append(" | ");
            }
            out.setLength(out.length() - 1);
            out.append("\n");
        }
        out.append("\nIn brackets: rusm's cost ÷ the baseline's (time per operation, bytes per service): above 1× rusm is behind. ")
                .append("\"rusm\" is a `@ResidentService` behind its typed client (spawn and memory: a `@ResidentService` per name); ")
                .append("\"raw Behavior\" is `node.call`/`node.send` on a `Behavior`. For spawn and memory, the direct column is a synchronized object put in a `ConcurrentHashMap`.\n\n");

        List<String> noisy = figures.values().stream()
                .filter(f -> f.error > 0.3 * f.value)
                .map(f -> String.format(Locale.ROOT, "%s %s ±%.0f%%", f.key, f.system, 100 * f.error / f.value))
                .toList();
        if (!noisy.isEmpty()) {
            out.append("JMH figures whose 99.9% error exceeds 30% of the score (re-run before trusting them): ")
                    .append(String.join(", ", noisy)).append(".\n\n");
        }

        out.append("| other figure | value |\n|---|---|\n");
        Figure httpRusm = get("http", "rusm");
        Figure httpAtomic = get("http", "atomic");
        Figure floor50 = get("restart.p50", "harness");
        Figure floor99 = get("restart.p99", "harness");
        out.append("| restart harness floor: starting + joining the caller's virtual thread, p50 / p99 (in every JMH restart sample above) | ")
                .append(format(floor50, "µs")).append(" / ").append(format(floor99, "µs")).append(" |\n");
        out.append("| HTTP POST through the counter service (req/s) | ").append(format(httpRusm, "req/s")).append(" |\n");
        out.append("| HTTP POST on an AtomicLong, same app (req/s) | ").append(format(httpAtomic, "req/s")).append(" |\n");
        Figure capNone = get("memcap", "cap-none");
        Figure cap = get("memcap", "cap-256MB");
        out.append("| cache get, 16 callers, no memory cap (per get) | ").append(format(capNone, "ns")).append(" |\n");
        out.append("| cache get, 16 callers, 256 MB cap (per get) | ").append(format(cap, "ns")).append(" |\n");
        for (String k : List.of("kv.1", "kv.64")) {
            String writers = k.equals("kv.1") ? "1 writer" : "64 writers";
            out.append("| Kv durable puts, ").append(writers).append(" (puts/s) | ").append(perSecond(get(k, "rusm-kv"))).append(" |\n");
            out.append("| raw write + fsync per put, ").append(writers).append(" (puts/s) | ").append(perSecond(get(k, "raw-fsync"))).append(" |\n");
        }

        out.append("\n| target | measured | met? |\n|---|---|---|\n");
        Figure call = get("call.1", "rusm-client");
        Figure erlCall = get("call.1", "erlang");
        target(out, "call round trip ≤ Erlang gen_server:call", call, erlCall, lessOrEqual(call, erlCall));
        out.append("| stretch: call round trip ≤ 0.5 µs | ").append(format(call, "ns")).append(" | ")
                .append(call == null ? "?" : nanos(call) <= 500 ? "yes" : "no").append(" |\n");
        for (String k : List.of("cast.1", "cast.4")) {
            Figure c = get(k, "rusm-client");
            Figure e = get(k, "erlang");
            target(out, "cast throughput ≥ Erlang cast (" + (k.equals("cast.1") ? "1 sender" : "4 senders") + ")", c, e, lessOrEqual(c, e));
        }
        Figure mem = get("memory", "rusm-service");
        out.append("| ≤ 1 KB retained heap per idle service | ").append(format(mem, "B")).append(" | ")
                .append(mem == null ? "?" : mem.value <= 1024 ? "yes" : "no").append(" |\n");
        Figure pekkoMem = get("memory", "pekko");
        out.append("| retained heap per idle service ≤ 0.5× Pekko's | ").append(format(mem, "B")).append(" vs ")
                .append(format(pekkoMem, "B")).append(" | ")
                .append(mem == null || pekkoMem == null ? "?" : mem.value <= 0.5 * pekkoMem.value ? "yes" : "no").append(" |\n");
        Figure p99 = get("restart.p99", "rusm");
        out.append("| restart p99 ≤ 1 ms | ").append(format(p99, "µs")).append(" | ")
                .append(p99 == null ? "?" : nanos(p99) <= 1_000_000 ? "yes" : "no").append(" |\n");
        if (httpRusm != null && httpAtomic != null) {
            double share = httpRusm.value / httpAtomic.value;
            out.append(String.format(Locale.ROOT, "| HTTP through a service ≥ 80%% of the AtomicLong endpoint | %.0f%% | %s |%n", share * 100, share >= 0.8 ? "yes" : "no"));
        } else {
            out.append("| HTTP through a service ≥ 80% of the AtomicLong endpoint | ? | ? |\n");
        }
        if (capNone != null && cap != null) {
            double share = nanos(capNone) / nanos(cap);
            out.append(String.format(Locale.ROOT, "| cache under a 256 MB cap ≥ 90%% of its uncapped get throughput | %.0f%% | %s |%n", share * 100, share >= 0.9 ? "yes" : "no"));
        } else {
            out.append("| cache under a 256 MB cap ≥ 90% of its uncapped get throughput | ? | ? |\n");
        }
        for (String caller : List.of("virtual-caller", "platform-caller")) {
            Figure alone = get("kv-neighbour.alone", caller);
            Figure busy = get("kv-neighbour.busy", caller);
            Figure tail = get("kv-neighbour.p99", caller);
            String what = "durable service next to a saturating neighbour ≥ 50% of its throughput alone (" + caller.replace('-', ' ') + ")";
            if (alone != null && busy != null) {
                double share = busy.value / alone.value;
                out.append(String.format(Locale.ROOT, "| %s | %.0f%% (%,.0f of %,.0f puts/s, p99 %.1f ms) | %s |%n", what, share * 100,
                        busy.value, alone.value, tail == null ? Double.NaN : tail.value, share >= 0.5 ? "yes" : "no"));
            } else if (get("kv-neighbour.stalled", caller) != null) {
                out.append("| ").append(what).append(" | a call timed out next to the neighbour | no |\n");
            } else {
                out.append("| ").append(what).append(" | ? | ? |\n");
            }
        }
        httpNeighbourRow(out, "rusm", "durable counter over HTTP, 4 connections, next to 64 on the plain one ≥ 50% of alone", true);
        httpNeighbourRow(out, "durable-64", "durable counter over HTTP, 64 connections, next to 64 on the plain one ≥ 50% of alone", true);
        httpNeighbourRow(out, "atomic-4", "for reference, no rusm: AtomicLong endpoint, 4 connections, next to the same 64 (the share HTTP leaves 4 connections)", false);
        scaleTable(out);
        clusterTable(out);
        keyedTable(out);
        return out.toString();
    }

    /** Scaling (ScalingMain and scale.escript): calls per second by cores and services busy at once. */
    private void scaleTable(StringBuilder out) {
        List<Integer> counts = figures.values().stream().filter(f -> f.key.startsWith("scale."))
                .map(f -> Integer.parseInt(f.key.substring("scale.".length()))).distinct().sorted().toList();
        if (counts.isEmpty()) return;
        out.append("\n| services busy at once (calls/s) | rusm, 1 core | Erlang, +S 1 | rusm ÷ Erlang | rusm, 2 cores | Erlang, +S 2 | rusm ÷ Erlang |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (int n : counts) {
            out.append(String.format(Locale.ROOT, "| %,d |", n));
            for (int cores = 1; cores <= 2; cores++) {
                Figure r = get("scale." + n, "rusm-p" + cores);
                Figure e = get("scale." + n, "erlang-s" + cores);
                out.append(' ').append(r == null ? "?" : String.format(Locale.ROOT, "%,.0f", r.value)).append(" | ")
                        .append(e == null ? "?" : String.format(Locale.ROOT, "%,.0f", e.value)).append(" | ")
                        .append(r == null || e == null ? "?" : String.format(Locale.ROOT, "%.2f×", r.value / e.value)).append(" |");
            }
            out.append('\n');
        }
        out.append("\n(throughput: above 1× rusm is ahead)\n");
    }

    /** One "alone vs next to the neighbour" HTTP row (bench/run's HTTP step); {@code target}: judged against the 50% bound. */
    private void httpNeighbourRow(StringBuilder out, String client, String what, boolean target) {
        Figure alone = get("http-neighbour.alone", client);
        Figure busy = get("http-neighbour.busy", client);
        Figure tail = get("http-neighbour.p99", client);
        if (alone == null || busy == null) {
            out.append("| ").append(what).append(" | ? | ? |\n");
            return;
        }
        double share = busy.value / alone.value;
        String met = !target ? "–" : share >= 0.5 ? "yes" : "no";
        out.append(String.format(Locale.ROOT, "| %s | %.0f%% (%,.0f of %,.0f req/s%s) | %s |%n", what, share * 100, busy.value, alone.value,
                tail == null ? "" : String.format(Locale.ROOT, ", p99 %.1f ms", tail.value), met));
    }

    /** Keyed services: PekkoShardingMain (one JVM per system), KeyedBench (JMH) and ClusterCallMain's keyed part. */
    private void keyedTable(StringBuilder out) {
        List<String[]> rows = List.of(
                new String[] {"activation", "activation: first call to a fresh key, 64 callers"},
                new String[] {"hot64", "calls to 10,000 hot keys (random key per call), 64 callers"});
        boolean any = figures.keySet().stream().anyMatch(k -> k.startsWith("keyed.") || k.startsWith("cluster.keyed."));
        if (!any) return;
        if (!out.isEmpty()) out.append("\n");
        out.append("| keyed, per operation (per second) | rusm, 1 node (PekkoShardingMain) | Pekko Cluster Sharding, 1-node cluster | rusm ÷ Pekko "
                        + "| rusm, 1 node (KeyedBench, JMH) | rusm across JVMs, from node a (ClusterCallMain) |\n")
                .append("|---|---|---|---|---|---|\n");
        for (String[] r : rows) {
            Figure rusm = get("keyed." + r[0], "rusm");
            Figure pekko = get("keyed." + r[0], "pekko-sharding");
            out.append("| ").append(r[1]).append(" | ").append(withRate(rusm)).append(" | ").append(withRate(pekko)).append(" | ")
                    .append(rusm != null && pekko != null ? ratio(rusm, pekko) : "–").append(" | ")
                    .append(withRate(get("keyed.jmh." + r[0], "rusm"))).append(" | ")
                    .append(withRate(get("cluster.keyed." + r[0], "rusm"))).append(" |\n");
        }
    }

    private static String withRate(Figure f) {
        return f == null ? "–" : format(f, "µs") + " (" + perSecond(f) + "/s)";
    }

    /** The cross-node call (ClusterCallMain against dist.escript), when the run has it. */
    private void clusterTable(StringBuilder out) {
        List<String[]> rows = List.of(
                new String[] {"cluster.call.1.p50", "1 caller, p50"},
                new String[] {"cluster.call.1.p99", "1 caller, p99"},
                new String[] {"cluster.call.1.mean", "1 caller, mean (wall time / calls)"},
                new String[] {"cluster.call.64", "64 callers, per call (wall time / calls)"},
                new String[] {"cluster.whereis.1.p50", "floor: whereis over the same wire, 1 caller, p50"},
                new String[] {"cluster.whereis.1.p99", "floor: whereis over the same wire, 1 caller, p99"});
        if (rows.stream().noneMatch(r -> get(r[0], "rusm") != null || get(r[0], "erlang") != null)) return;
        if (!out.isEmpty()) out.append("\n");
        out.append("| cross-node call round trip (µs) | rusm: typed client → rusm.v1 gRPC (3 JVMs unless cluster-rusm.txt says 2) | Erlang distribution: 2 nodes, gen_server:call | rusm ÷ Erlang |\n")
                .append("|---|---|---|---|\n");
        for (String[] r : rows) {
            Figure rusm = get(r[0], "rusm");
            Figure erlang = get(r[0], "erlang");
            out.append("| ").append(r[1]).append(" | ").append(format(rusm, "µs")).append(" | ").append(format(erlang, "µs"))
                    .append(" | ").append(rusm != null && erlang != null ? ratio(rusm, erlang) : "–").append(" |\n");
        }
        for (String[] r : List.of(rows.get(0), rows.get(3))) { // the targets
            Figure rusm = get(r[0], "rusm");
            Figure erlang = get(r[0], "erlang");
            out.append("| target: cross-node call ").append(r[1]).append(" ≤ Erlang's | ")
                    .append(format(rusm, "µs")).append(" | ").append(format(erlang, "µs")).append(" | met: ")
                    .append(lessOrEqual(rusm, erlang)).append(" |\n");
        }
    }

    private static void target(StringBuilder out, String label, Figure rusm, Figure baseline, String met) {
        out.append("| ").append(label).append(" | ").append(format(rusm, "ns"));
        if (rusm != null && baseline != null) out.append(" vs ").append(format(baseline, "ns")).append(" (").append(ratio(rusm, baseline)).append(")");
        out.append(" | ").append(met).append(" |\n");
    }

    private static String lessOrEqual(Figure a, Figure b) {
        if (a == null || b == null) return "?";
        return nanos(a) <= nanos(b) ? "yes" : "no";
    }

    private static String ratio(Figure rusm, Figure baseline) {
        double r = rusm.unit.equals("B") ? rusm.value / baseline.value : nanos(rusm) / nanos(baseline);
        return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2g×", r);
    }

    /** A time figure in nanoseconds. */
    private static double nanos(Figure f) {
        return switch (f.unit) {
            case "ns" -> f.value;
            case "us", "µs" -> f.value * 1e3;
            case "ms" -> f.value * 1e6;
            case "s" -> f.value * 1e9;
            default -> f.value;
        };
    }

    private static String perSecond(Figure f) {
        if (f == null) return "–";
        return String.format(Locale.ROOT, "%,.0f", 1e9 / nanos(f));
    }

    private static String format(Figure f, String displayUnit) {
        if (f == null) return "–";
        double v = switch (displayUnit) {
            case "ns" -> nanos(f);
            case "µs" -> nanos(f) / 1e3;
            default -> f.value;
        };
        String number = v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        return number + " " + displayUnit;
    }
}
