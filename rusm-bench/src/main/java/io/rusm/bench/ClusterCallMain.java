package io.rusm.bench;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.rusm.Key;
import io.rusm.KeyedSpec;
import io.rusm.ExitReason;
import io.rusm.FencedException;
import io.rusm.Node;
import io.rusm.ProcessCrashedException;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.cluster.ClusterSettings;
import io.rusm.cluster.RusmCluster;
import io.rusm.wire.WireServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The cross-node call round trip of BENCHMARKS.md ("Cluster"): rusm nodes in two or three JVMs on
 * 127.0.0.1 (default three), joined by Hazelcast, a singleton {@code counter} ({@code @ResidentService})
 * on one and its typed client ({@code node.client(CounterClient.class)}) on another, so every call
 * crosses the rusm.v1 gRPC wire; and a keyed service {@code hot} on every node, called from node a.
 * Not JMH: JVMs that talk to each other are simpler as a plain timed main.
 *
 * <pre>java -Xms512m -Xmx512m -cp rusm-bench.jar io.rusm.bench.ClusterCallMain [warm-up s] [measured s] [JVMs: 2 or 3]</pre>
 *
 * <p>This JVM is node {@code a}; it starts nodes {@code b} (and {@code c}) as further JVMs with the same
 * java, JVM flags and classpath ({@link ProcessBuilder}), drives them over their stdin/stdout, and stops
 * them in a {@code finally} (STOP, then {@code destroyForcibly} of the PID if not exited within 20 s).
 * The singleton lands on the owner of its Hazelcast partition, which neither node chooses, so the
 * node that does <em>not</em> run it is the caller (checked: {@code where()} answers the other node
 * before and after the measurement, and the counter's final value equals the acknowledged bumps).
 *
 * <p>Figures, printed as {@code RESULT <key> rusm <value> us}, each after a warm-up of the same shape:
 * {@code cluster.call.1.p50/.p99/.mean} — one caller (a virtual thread) calling back to back for the
 * measured time; {@code cluster.call.64} — 64 virtual threads calling at once, wall time / calls;
 * {@code cluster.whereis.1.p50/.p99} — the floor under a call: {@code node.whereis("counter")} from
 * the caller, a gRPC unary on the same channel that the owner answers from its registry.
 *
 * <p>Keyed figures, all from node {@code a} through {@code node.client(HotClient.class)}, each key on the
 * owner of its partition (about 1/n of them on {@code a} itself, printed): {@code cluster.keyed.activation}
 * — 64 virtual threads each calling fresh keys for the measured time (every call the first to its key,
 * checked: it answers 1), wall time / activations; {@code cluster.keyed.hot64} — {@value #HOT_KEYS} keys
 * activated first ({@value #HOT_KEYS_SMALL} when the measured time is under 2 s, so the smoke test stays
 * short), then 64 virtual threads calling random ones, wall time / calls. Checked: no key changed owner
 * during the hot calls, and the keys' totals add up to the acknowledged adds.
 */
public final class ClusterCallMain {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(90);
    /** Why the singleton was last seen unsettled: printed if it never settles. */
    private static final java.util.concurrent.atomic.AtomicReference<String> UNSETTLED = new java.util.concurrent.atomic.AtomicReference<>("");
    static final int HOT_KEYS = 10_000;
    static final int HOT_KEYS_SMALL = 1_000;
    static final int KEYED_CALLERS = 64;

    /** A keyed service: one process per key, an in-memory running total (no Kv). */
    @ResidentService("hot")
    public static class Hot {
        private long total;

        public long add(long n) {
            total += n;
            return total;
        }
    }

    @ServiceClient("hot")
    public interface HotClient {
        long add(@Key String key, long n);
    }

    @ResidentService("counter")
    public static class ClusterCounter {
        private long count;

        public long bump(long by) {
            count += by;
            return count;
        }

        public String where() {
            return ProcessContext.self().node();
        }
    }

    @ServiceClient("counter")
    public interface CounterClient {
        long bump(long by);

        String where();
    }

    private ClusterCallMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--node")) {
            runOtherNode(args[1], Integer.parseInt(args[2]),
                    Arrays.stream(args[3].split(",")).map(Integer::valueOf).toList());
            return;
        }
        double warmS = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double measureS = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        int jvms = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try {
            runFirstNode((long) (warmS * 1000), (long) (measureS * 1000), jvms);
        } catch (Exception e) {
            System.err.println("ClusterCallMain failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    // ---- one node ----------------------------------------------------------------------------

    /** A rusm node with its wire, a Hazelcast member, the {@code counter} singleton and the keyed {@code hot} declared. */
    private record ClusterNode(Node node, WireServer wire, HazelcastInstance hazelcast, RusmCluster cluster, int size) implements AutoCloseable {
        static ClusterNode start(String name, int hzPort, List<Integer> hzPorts) {
            Node node = Node.builder().name(name).defaultCallTimeout(CALL_TIMEOUT).build();
            WireServer wire = null;
            HazelcastInstance hz = null;
            try {
                ServiceDefinition def = ServiceDefinition.of(ClusterCounter.class);
                node.declareService(def);
                wire = WireServer.builder(node).address("127.0.0.1").port(0).start();
                ClusterSettings s = new ClusterSettings("rusm-bench", "127.0.0.1", hzPort,
                        hzPorts.stream().map(p -> "127.0.0.1:" + p).toList(), 1, Duration.ofSeconds(5),
                        "127.0.0.1:" + wire.port(), Set.of("counter"));
                hz = Hazelcast.newHazelcastInstance(RusmCluster.config(s, name)); // ours, to ask whether migration is over
                RusmCluster cluster = RusmCluster.start(node, s, hz, null, null); // leases in a Hazelcast map
                node.startSupervisor(SupervisorSpec.of("rusm").withChildren(List.of(
                        WorkerSpec.of("counter", () -> def.newBehavior(ClusterCounter::new)).withResident(false),
                        node.keyedService(KeyedSpec.of(ServiceDefinition.of(Hot.class), Hot::new)))));
                cluster.resume();
                return new ClusterNode(node, wire, hz, cluster, hzPorts.size());
            } catch (RuntimeException e) {
                if (hz != null) hz.getLifecycleService().terminate();
                if (wire != null) wire.close();
                node.close();
                throw e;
            }
        }

        boolean joined() {
            return cluster.members().size() == size;
        }

        /**
         * Both members, no migration going on, and the owner serves the singleton (answers where());
         * null while that is not so, including while a call fails because the singleton is moving.
         */
        String settledOwner() {
            if (!joined()) return unsettled(cluster.members().size() + " of " + size + " members");
            if (!hazelcast.getPartitionService().isClusterSafe()) return unsettled("partitions migrating (not cluster-safe)");
            String owner = cluster.ownerOf("counter").orElse(null);
            if (owner == null) return unsettled("no owner of 'counter'");
            String where;
            try {
                where = node.client(CounterClient.class, CALL_TIMEOUT).where();
            } catch (RuntimeException moving) {
                return unsettled("where() failed: " + moving);
            }
            if (!where.equals(owner)) return unsettled("where() answered " + where + ", the owner is " + owner);
            return hazelcast.getPartitionService().isClusterSafe() ? owner : unsettled("partitions migrating after where()");
        }

        private static String unsettled(String why) {
            UNSETTLED.set(why);
            return null;
        }

        @Override
        public void close() {
            try {
                cluster.close();
            } catch (RuntimeException ignored) {
                // next
            }
            try {
                hazelcast.getLifecycleService().terminate();
            } catch (RuntimeException ignored) {
                // next
            }
            wire.close();
            node.close();
        }
    }

    // ---- node a: this JVM, the one that is run -----------------------------------------------

    /** Two JVMs, as the smoke test runs it: see {@link #runFirstNode(long, long, int)}. */
    static void runFirstNode(long warmMs, long measureMs) throws Exception {
        runFirstNode(warmMs, measureMs, 2);
    }

    /** A node's JVM started by node a, with its stdout read into a queue. */
    private record Child(String name, Process process, BlockingQueue<String> lines, PrintWriter in) {}

    /**
     * Runs node a (and nodes b, c beside it: {@code jvms} in all, 2 or 3); returns when every figure
     * was measured and checked, else throws why not.
     */
    static void runFirstNode(long warmMs, long measureMs, int jvms) throws Exception {
        if (jvms < 2 || jvms > 3) throw new IllegalArgumentException("2 or 3 JVMs, not " + jvms);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < jvms; i++) ports.add(freePort());
        System.out.printf(Locale.ROOT, "# rusm cross-node call: %d JVMs on 127.0.0.1, Hazelcast ports %s, warm-up %d ms, measured %d ms, %d cores%n",
                jvms, ports, warmMs, measureMs, Runtime.getRuntime().availableProcessors());
        List<Child> children = new ArrayList<>();
        try (ClusterNode a = ClusterNode.start("a", ports.get(0), ports)) {
            for (int i = 1; i < jvms; i++) {
                String name = String.valueOf((char) ('a' + i));
                Process p = startOtherJvm(name, ports.get(i), ports);
                System.out.println("# node " + name + ": pid " + p.pid());
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread.ofPlatform().daemon(true).name("node-" + name + "-stdout").start(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) lines.add(line);
                    } catch (IOException ignored) {
                        // the child is gone
                    } finally {
                        lines.add("EOF");
                    }
                });
                children.add(new Child(name, p, lines, new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8)));
            }
            for (Child c : children) expect(c, "JOINED", JOIN_TIMEOUT);
            waitFor("node a sees " + jvms + " members", JOIN_TIMEOUT, a::joined);
            String owner = settle(a);
            String caller = owner.equals("a") ? "b" : "a";
            System.out.println("# the singleton 'counter' runs on node " + owner + "; the caller is node " + caller);

            long acked;
            List<String> results;
            if (owner.equals("a")) {
                Child b = children.get(0);
                b.in().printf(Locale.ROOT, "MEASURE %d %d%n", warmMs, measureMs);
                results = new ArrayList<>();
                Duration limit = Duration.ofMillis(4 * (warmMs + measureMs) + 120_000);
                long end = System.nanoTime() + limit.toNanos();
                while (true) {
                    String line = b.lines().poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (line == null) throw new IllegalStateException("node b did not finish measuring within " + limit);
                    if (line.equals("EOF")) throw new IllegalStateException("node b exited while measuring");
                    if (line.startsWith("ACKED ")) {
                        acked = Long.parseLong(line.substring(6).trim());
                        break;
                    }
                    results.add(line);
                }
            } else {
                Measured m = measure(a.node(), "a", warmMs, measureMs);
                results = m.lines();
                acked = m.acked();
            }
            results.forEach(System.out::println);

            // the same owner throughout, and every acknowledged bump counted once
            String after = settle(a);
            long total = a.node().client(CounterClient.class, CALL_TIMEOUT).bump(0);
            System.out.printf(Locale.ROOT, "# owner after: %s; counter %d, acknowledged bumps %d%n", after, total, acked);
            if (!after.equals(owner)) throw new IllegalStateException("the singleton moved during the measurement: " + owner + " -> " + after);
            if (total != acked) throw new IllegalStateException("counter " + total + " != acknowledged bumps " + acked);

            measureKeyed(a, warmMs, measureMs).forEach(System.out::println);
            for (Child c : children) c.in().println("STOP");
        } finally {
            for (Child c : children) stopChild(c);
        }
    }

    private static Process startOtherJvm(String name, int selfPort, List<Integer> ports) throws IOException {
        String javaBin = ProcessHandle.current().info().command()
                .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-javaagent")) cmd.add(arg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ClusterCallMain.class.getName(),
                "--node", name, Integer.toString(selfPort),
                String.join(",", ports.stream().map(String::valueOf).toList())));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** STOP was sent on success; this waits a bounded time, then kills the node by its PID. */
    private static void stopChild(Child c) {
        Process child = c.process();
        try {
            child.getOutputStream().close(); // EOF on its stdin: it stops too
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                System.err.println("# node " + c.name() + " (pid " + child.pid() + ") did not exit within 20 s: killing it");
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        System.out.println("# node " + c.name() + " (pid " + child.pid() + ") " + (child.isAlive() ? "STILL ALIVE" : "exited " + child.exitValue()));
    }

    // ---- nodes b and c: the other JVMs, driven over stdin/stdout ------------------------------

    private static void runOtherNode(String name, int selfPort, List<Integer> ports) throws Exception {
        PrintStream out = System.out;
        // never outlive node a, and never run longer than a benchmark can take
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        Thread.ofPlatform().daemon(true).name("node-" + name + "-lifetime").start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(15));
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(4);
        });
        try (ClusterNode b = ClusterNode.start(name, selfPort, ports)) {
            waitFor("node " + name + " sees " + ports.size() + " members", JOIN_TIMEOUT, b::joined);
            out.println("JOINED");
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] cmd = line.trim().split("\\s+");
                if (cmd[0].equals("STOP")) break;
                if (cmd[0].equals("MEASURE")) {
                    Measured m = measure(b.node(), name, Long.parseLong(cmd[1]), Long.parseLong(cmd[2]));
                    m.lines().forEach(out::println);
                    out.println("ACKED " + m.acked());
                    out.flush();
                }
            }
        }
        System.exit(0);
    }

    // ---- the measurement (on the node that does not run the counter) -------------------------

    private record Measured(List<String> lines, long acked) {}

    private static Measured measure(Node node, String self, long warmMs, long measureMs) throws InterruptedException {
        CounterClient counter = node.client(CounterClient.class, CALL_TIMEOUT);
        String before = counter.where();
        if (before.equals(self)) throw new IllegalStateException("the counter runs on the calling node " + self + ": not a cross-node call");
        List<String> lines = new ArrayList<>();
        AtomicLong acked = new AtomicLong();

        // 1 caller: latency of every call
        Runnable bump = () -> {
            counter.bump(1);
            acked.incrementAndGet();
        };
        timedLoop(bump, warmMs);
        Latencies one = timedLoop(bump, measureMs);
        lines.add(result("cluster.call.1.p50", one.percentile(0.50) / 1e3));
        lines.add(result("cluster.call.1.p99", one.percentile(0.99) / 1e3));
        lines.add(result("cluster.call.1.mean", one.wallNanos() / 1e3 / one.count()));
        lines.add(String.format(Locale.ROOT, "# 1 caller on node %s: %d calls in %.2f s", self, one.count(), one.wallNanos() / 1e9));

        // the floor under it: a whereis over the same wire and channel (a gRPC unary the other node
        // answers from its registry, no process call, no JSON), one caller
        Runnable whereis = () -> {
            if (node.whereis("counter").isEmpty()) throw new IllegalStateException("whereis(counter) found nothing");
        };
        timedLoop(whereis, Math.min(warmMs, 1000));
        Latencies floor = timedLoop(whereis, Math.min(measureMs, 2000));
        lines.add(result("cluster.whereis.1.p50", floor.percentile(0.50) / 1e3));
        lines.add(result("cluster.whereis.1.p99", floor.percentile(0.99) / 1e3));

        // 64 callers: wall time / calls
        callers(counter, 64, warmMs, acked);
        long[] r = callers(counter, 64, measureMs, acked);
        lines.add(result("cluster.call.64", r[1] / 1e3 / r[0]));
        lines.add(String.format(Locale.ROOT, "# 64 callers on node %s: %d calls in %.2f s", self, r[0], r[1] / 1e9));

        String after = counter.where();
        if (!after.equals(before)) throw new IllegalStateException("the counter moved from " + before + " to " + after + " while measuring");
        return new Measured(lines, acked.get());
    }

    // ---- the keyed service, from node a -------------------------------------------------------

    /**
     * {@code hot.add}, tried again (up to 3 times) when the key's process ended {@code fenced}: its
     * shard's lease lapsed (a renewal came too late on a loaded machine), the next call starts the key
     * again under a new lease, with its in-memory total back at 0. Counted, and printed: the totals
     * check holds only when nothing was fenced.
     */
    private record Keys(HotClient client, AtomicLong fenced) {
        long add(String key, long n) {
            for (int attempt = 1; ; attempt++) {
                try {
                    return client.add(key, n);
                } catch (ProcessCrashedException e) {
                    if (!e.reason().equals(ExitReason.FENCED) || attempt == 3) throw e;
                    fenced.incrementAndGet();
                } catch (FencedException e) {
                    if (attempt == 3) throw e;
                    fenced.incrementAndGet();
                }
            }
        }
    }

    private static List<String> measureKeyed(ClusterNode a, long warmMs, long measureMs) throws InterruptedException {
        Keys hot = new Keys(a.node().client(HotClient.class, CALL_TIMEOUT), new AtomicLong());
        List<String> lines = new ArrayList<>();
        int nodes = a.size();

        // activations: every call the first to its key (answers 1), 64 callers, for the measured time
        AtomicLong warmKeys = new AtomicLong();
        AtomicLong freshKeys = new AtomicLong();
        callers(KEYED_CALLERS, warmMs, () -> expectOne(hot.add("warm-" + warmKeys.getAndIncrement(), 1)));
        long[] act = callers(KEYED_CALLERS, measureMs, () -> expectOne(hot.add("new-" + freshKeys.getAndIncrement(), 1)));
        long localFresh = 0;
        for (long i = 0; i < act[0]; i++) if (a.cluster().ownerOf("hot/new-" + i).orElse("?").equals("a")) localFresh++;
        lines.add(result("cluster.keyed.activation", act[1] / 1e3 / act[0]));
        lines.add(String.format(Locale.ROOT, "# keyed activations from node a (%d nodes): %d fresh keys in %.2f s by %d callers = %.0f activations/s; %.1f%% of them on node a; %d calls met a fenced key so far",
                nodes, act[0], act[1] / 1e9, KEYED_CALLERS, act[0] / (act[1] / 1e9), 100.0 * localFresh / act[0], hot.fenced().get()));

        // hot keys: activated first, then random keys for the measured time
        int keys = measureMs >= 2000 ? HOT_KEYS : HOT_KEYS_SMALL;
        String[] hotKeys = new String[keys];
        for (int i = 0; i < keys; i++) hotKeys[i] = "hot-" + i;
        long t0 = System.nanoTime();
        AtomicLong next = new AtomicLong();
        Load.onVirtualThreads(KEYED_CALLERS, (keys + KEYED_CALLERS - 1) / KEYED_CALLERS, () -> {
            long i = next.getAndIncrement();
            return i < keys ? expectOne(hot.add(hotKeys[(int) i], 1)) : 0;
        });
        long activateNs = System.nanoTime() - t0;
        if (!a.hazelcast().getPartitionService().isClusterSafe()) throw new IllegalStateException("partitions migrating before the hot-key calls");
        Map<String, String> ownerBefore = new HashMap<>();
        Map<String, Integer> spread = new java.util.TreeMap<>();
        for (String k : hotKeys) {
            String o = a.cluster().ownerOf("hot/" + k).orElseThrow();
            ownerBefore.put(k, o);
            spread.merge(o, 1, Integer::sum);
        }
        long fencedBefore = hot.fenced().get();
        io.rusm.KeyedStats statsBefore = a.node().keyedStats("hot").orElseThrow();
        AtomicLong adds = new AtomicLong();
        Runnable call = () -> {
            hot.add(hotKeys[ThreadLocalRandom.current().nextInt(keys)], 1);
            adds.incrementAndGet();
        };
        callers(KEYED_CALLERS, warmMs, call);
        long[] r = callers(KEYED_CALLERS, measureMs, call);
        lines.add(result("cluster.keyed.hot64", r[1] / 1e3 / r[0]));
        lines.add(String.format(Locale.ROOT, "# keyed hot keys from node a (%d nodes): %d keys (activated in %.2f s), spread %s, %.1f%% on node a; "
                        + "%d calls in %.2f s by %d callers = %.0f calls/s, %.0f ns per call; %d calls met a fenced key",
                nodes, keys, activateNs / 1e9, spread, 100.0 * spread.getOrDefault("a", 0) / keys,
                r[0], r[1] / 1e9, KEYED_CALLERS, r[0] / (r[1] / 1e9), (double) r[1] / r[0], hot.fenced().get() - fencedBefore));

        // checks: no key moved, and the totals are the acknowledged adds (each key started at 1)
        for (String k : hotKeys) {
            String o = a.cluster().ownerOf("hot/" + k).orElseThrow();
            if (!o.equals(ownerBefore.get(k))) throw new IllegalStateException("key " + k + " moved from " + ownerBefore.get(k) + " to " + o);
        }
        AtomicLong i2 = new AtomicLong();
        long sum = Load.onVirtualThreads(KEYED_CALLERS, (keys + KEYED_CALLERS - 1) / KEYED_CALLERS, () -> {
            long i = i2.getAndIncrement();
            return i < keys ? hot.add(hotKeys[(int) i], 0) : 0;
        });
        io.rusm.KeyedStats statsAfter = a.node().keyedStats("hot").orElseThrow();
        long expected = keys + adds.get();
        lines.add(String.format(Locale.ROOT, "# keyed totals: %d, expected %d (%d keys + %d acknowledged adds); node a started %d key incarnations during "
                        + "the hot calls and their check (0 when no key of it was lost), %d live keys on node a now",
                sum, expected, keys, adds.get(), statsAfter.activations() - statsBefore.activations(), statsAfter.liveKeys()));
        if (sum != expected) {
            // Not a failure of the benchmark: the state is in memory (no Kv), and a key whose shard's
            // lease lapsed (a renewal late on a starved machine) is fenced and starts again at 0 on its
            // next call. Printed loudly, and the figures above carry that cost.
            lines.add(String.format(Locale.ROOT, "# KEYED STATE LOST: the totals are %d short: keys were fenced between calls (their shard's lease lapsed) "
                    + "and restarted at 0; %d calls met a fenced key in flight", expected - sum, hot.fenced().get() - fencedBefore));
        }
        return lines;
    }

    private static long expectOne(long total) {
        if (total != 1) throw new IllegalStateException("a fresh key answered " + total + ", not 1: it was not a first call");
        return total;
    }

    private record Latencies(long[] sorted, int count, long wallNanos) {
        double percentile(double q) {
            return sorted[pct(count, q)];
        }
    }

    /** One virtual thread doing {@code op} back to back for {@code ms}: every op's latency. */
    private static Latencies timedLoop(Runnable op, long ms) throws InterruptedException {
        Latencies[] out = new Latencies[1];
        Thread t = Thread.ofVirtual().name("caller-1").start(() -> {
            long[] l = new long[1 << 16];
            int n = 0;
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(ms);
            for (long s = t0; s < deadline; s = System.nanoTime()) {
                op.run();
                if (n == l.length) l = Arrays.copyOf(l, n * 2);
                l[n++] = System.nanoTime() - s;
            }
            long wall = System.nanoTime() - t0;
            long[] sorted = Arrays.copyOf(l, n);
            Arrays.sort(sorted);
            out[0] = new Latencies(sorted, n, wall);
        });
        join(t, ms);
        if (out[0] == null || out[0].count() == 0) throw new IllegalStateException("the one-caller measurement failed");
        return out[0];
    }

    /** {@code count} virtual threads calling for {@code ms}: {calls, wall ns until the last returned}. */
    private static long[] callers(CounterClient counter, int count, long ms, AtomicLong acked) throws InterruptedException {
        return callers(count, ms, () -> {
            counter.bump(1);
            acked.incrementAndGet();
        });
    }

    /** {@code count} virtual threads doing {@code op} for {@code ms}: {ops, wall ns until the last returned}. */
    private static long[] callers(int count, long ms, Runnable op) throws InterruptedException {
        return Load.forDuration(count, ms, CALL_TIMEOUT.plusSeconds(10), op, () -> false);
    }

    private static void join(Thread t, long ms) throws InterruptedException {
        if (!t.join(Duration.ofMillis(ms).plus(CALL_TIMEOUT).plusSeconds(10))) {
            t.interrupt();
            throw new IllegalStateException("a caller did not finish: " + t.getName());
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    /**
     * The singleton's owner once the same settled answer came 5 times in a row, 200 ms apart: a
     * member that has just joined may be given its partitions a moment after the cluster first
     * reports itself safe, so one or two agreeing answers are not enough.
     */
    private static String settle(ClusterNode a) throws InterruptedException {
        long end = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        String last = null;
        int same = 0;
        while (System.nanoTime() < end) {
            String owner = a.settledOwner();
            same = owner != null && owner.equals(last) ? same + 1 : 0;
            if (same == 4) return owner;
            last = owner;
            Thread.sleep(200); // pacing between polls, not synchronization: the answer is checked
        }
        throw new IllegalStateException("the singleton did not settle on one node within " + JOIN_TIMEOUT + "; last: " + UNSETTLED.get());
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out: " + what);
            Thread.sleep(50);
        }
    }

    private static void expect(Child c, String expected, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = c.lines().poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw new IllegalStateException("node " + c.name() + " did not say " + expected + " within " + timeout);
            if (line.equals("EOF")) throw new IllegalStateException("node " + c.name() + " exited before " + expected);
            if (line.equals(expected)) return;
            System.out.println("# node " + c.name() + ": " + line);
        }
    }

    private static String result(String key, double micros) {
        return String.format(Locale.ROOT, "RESULT %s rusm %.4f us", key, micros);
    }

    private static int pct(int n, double q) {
        return (int) Math.max(0, Math.min(n - 1, Math.round(n * q) - 1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
