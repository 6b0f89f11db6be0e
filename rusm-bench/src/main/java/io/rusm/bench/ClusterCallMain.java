package io.rusm.bench;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.rusm.Node;
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
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The cross-node call round trip of BENCHMARKS.md ("Cluster"): two rusm nodes in two JVMs on
 * 127.0.0.1, joined by Hazelcast, a singleton {@code counter} ({@code @ResidentService}) on one and
 * its typed client ({@code node.client(CounterClient.class)}) on the other, so every call crosses
 * the rusm.v1 gRPC wire. Not JMH: two JVMs that talk to each other are simpler as a plain timed main.
 *
 * <pre>java -Xms512m -Xmx512m -cp rusm-bench.jar io.rusm.bench.ClusterCallMain [warm-up s] [measured s]</pre>
 *
 * <p>This JVM is node {@code a}; it starts node {@code b} as a second JVM with the same java, JVM
 * flags and classpath ({@link ProcessBuilder}), drives it over its stdin/stdout, and stops it in a
 * {@code finally} (STOP, then {@code destroyForcibly} of its PID if it has not exited within 20 s).
 * The singleton lands on the owner of its Hazelcast partition, which neither node chooses, so the
 * node that does <em>not</em> run it is the caller (checked: {@code where()} answers the other node
 * before and after the measurement, and the counter's final value equals the acknowledged bumps).
 *
 * <p>Figures, printed as {@code RESULT <key> rusm <value> us}, each after a warm-up of the same shape:
 * {@code cluster.call.1.p50/.p99/.mean} — one caller (a virtual thread) calling back to back for the
 * measured time; {@code cluster.call.64} — 64 virtual threads calling at once, wall time / calls;
 * {@code cluster.whereis.1.p50/.p99} — the floor under a call: {@code node.whereis("counter")} from
 * the caller, a gRPC unary on the same channel that the owner answers from its registry.
 */
public final class ClusterCallMain {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(90);

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
            runSecondNode(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        double warmS = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        double measureS = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        try {
            runFirstNode((long) (warmS * 1000), (long) (measureS * 1000));
        } catch (Exception e) {
            System.err.println("ClusterCallMain failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    // ---- one node ----------------------------------------------------------------------------

    /** A rusm node with its wire, a Hazelcast member and the {@code counter} singleton declared. */
    private record ClusterNode(Node node, WireServer wire, HazelcastInstance hazelcast, RusmCluster cluster) implements AutoCloseable {
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
                        WorkerSpec.of("counter", () -> def.newBehavior(ClusterCounter::new)).withResident(false))));
                cluster.resume();
                return new ClusterNode(node, wire, hz, cluster);
            } catch (RuntimeException e) {
                if (hz != null) hz.getLifecycleService().terminate();
                if (wire != null) wire.close();
                node.close();
                throw e;
            }
        }

        boolean joined(int members) {
            return cluster.members().size() == members;
        }

        /**
         * Both members, no migration going on, and the owner serves the singleton (answers where());
         * null while that is not so, including while a call fails because the singleton is moving.
         */
        String settledOwner() {
            if (!joined(2) || !hazelcast.getPartitionService().isClusterSafe()) return null;
            String owner = cluster.ownerOf("counter").orElse(null);
            if (owner == null) return null;
            String where;
            try {
                where = node.client(CounterClient.class, CALL_TIMEOUT).where();
            } catch (RuntimeException moving) {
                return null;
            }
            return where.equals(owner) && hazelcast.getPartitionService().isClusterSafe() ? owner : null;
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

    /** Runs node a (and node b beside it); returns when every figure was measured and checked, else throws why not. */
    static void runFirstNode(long warmMs, long measureMs) throws Exception {
        int portA = freePort();
        int portB = freePort();
        List<Integer> ports = List.of(portA, portB);
        System.out.printf(Locale.ROOT, "# rusm cross-node call: 2 JVMs on 127.0.0.1, Hazelcast ports %d/%d, warm-up %d ms, measured %d ms, %d cores%n",
                portA, portB, warmMs, measureMs, Runtime.getRuntime().availableProcessors());
        Process child = null;
        try (ClusterNode a = ClusterNode.start("a", portA, ports)) {
            child = startSecondJvm(portA, portB);
            System.out.println("# node b: pid " + child.pid());
            BlockingQueue<String> fromChild = new LinkedBlockingQueue<>();
            Process c = child;
            Thread.ofPlatform().daemon(true).name("node-b-stdout").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) fromChild.add(line);
                } catch (IOException ignored) {
                    // the child is gone
                } finally {
                    fromChild.add("EOF");
                }
            });
            PrintWriter toChild = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8);

            expect(fromChild, "JOINED", JOIN_TIMEOUT);
            waitFor("node a sees two members", JOIN_TIMEOUT, () -> a.joined(2));
            String owner = settle(a);
            System.out.println("# the singleton 'counter' runs on node " + owner + "; the caller is node " + (owner.equals("a") ? "b" : "a"));

            long acked;
            List<String> results;
            if (owner.equals("a")) {
                toChild.printf(Locale.ROOT, "MEASURE %d %d%n", warmMs, measureMs);
                results = new ArrayList<>();
                Duration limit = Duration.ofMillis(4 * (warmMs + measureMs) + 120_000);
                long end = System.nanoTime() + limit.toNanos();
                while (true) {
                    String line = fromChild.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
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
            toChild.println("STOP");
        } finally {
            if (child != null) stopChild(child);
        }
    }

    private static Process startSecondJvm(int portA, int portB) throws IOException {
        String javaBin = ProcessHandle.current().info().command()
                .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-javaagent")) cmd.add(arg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ClusterCallMain.class.getName(),
                "--node", Integer.toString(portB), Integer.toString(portA)));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** STOP was sent on success; this waits a bounded time, then kills node b by its PID. */
    private static void stopChild(Process child) {
        try {
            child.getOutputStream().close(); // EOF on its stdin: it stops too
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                System.err.println("# node b (pid " + child.pid() + ") did not exit within 20 s: killing it");
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        System.out.println("# node b (pid " + child.pid() + ") " + (child.isAlive() ? "STILL ALIVE" : "exited " + child.exitValue()));
    }

    // ---- node b: the second JVM, driven over stdin/stdout ------------------------------------

    private static void runSecondNode(int selfPort, int peerPort) throws Exception {
        PrintStream out = System.out;
        // never outlive node a, and never run longer than a benchmark can take
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        Thread.ofPlatform().daemon(true).name("node-b-lifetime").start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(15));
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(4);
        });
        try (ClusterNode b = ClusterNode.start("b", selfPort, List.of(peerPort, selfPort))) {
            waitFor("node b sees two members", JOIN_TIMEOUT, () -> b.joined(2));
            out.println("JOINED");
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] cmd = line.trim().split("\\s+");
                if (cmd[0].equals("STOP")) break;
                if (cmd[0].equals("MEASURE")) {
                    Measured m = measure(b.node(), "b", Long.parseLong(cmd[1]), Long.parseLong(cmd[2]));
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
        AtomicLong calls = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofVirtual().name("caller-" + i).start(() -> {
                try {
                    go.await();
                    long n = 0;
                    while (System.nanoTime() < deadline[0]) {
                        counter.bump(1);
                        acked.incrementAndGet();
                        n++;
                    }
                    calls.addAndGet(n);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    System.err.println("# call failed: " + e);
                }
            }));
        }
        long t0 = System.nanoTime();
        deadline[0] = t0 + TimeUnit.MILLISECONDS.toNanos(ms);
        go.countDown();
        for (Thread t : threads) join(t, ms);
        long wall = System.nanoTime() - t0;
        if (failures.get() > 0) throw new IllegalStateException(failures.get() + " of " + count + " callers failed");
        return new long[] {calls.get(), wall};
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
        throw new IllegalStateException("the singleton did not settle on one node within " + JOIN_TIMEOUT);
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new IllegalStateException("timed out: " + what);
            Thread.sleep(50);
        }
    }

    private static void expect(BlockingQueue<String> lines, String expected, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw new IllegalStateException("node b did not say " + expected + " within " + timeout);
            if (line.equals("EOF")) throw new IllegalStateException("node b exited before " + expected);
            if (line.equals(expected)) return;
            System.out.println("# node b: " + line);
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
