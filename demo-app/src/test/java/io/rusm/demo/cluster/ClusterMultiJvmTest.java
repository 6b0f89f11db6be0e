package io.rusm.demo.cluster;

import io.rusm.LoopbackPorts;
import io.rusm.kv.LocalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three demo instances as separate JVMs on loopback, one PostgreSQL started by the test: the durable
 * counter is a singleton. Checked the Jepsen way: every acknowledged bump returns a distinct value
 * (none applied twice) and the final value covers every acknowledged one (none lost), through a
 * {@code kill -9} of the owner and a {@code SIGSTOP} of the next owner past the failure timeout.
 * Failover times are printed (and kept in BENCHMARKS.md); the test asserts them only with wide margins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterMultiJvmTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int NODES = 3;

    private LocalPostgres postgres;
    private final Instance[] nodes = new Instance[NODES];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong ambiguous = new AtomicLong();

    /** One demo JVM. */
    final class Instance {
        final int index;
        final int httpPort;
        final int clusterPort;
        final int wirePort;
        Process process;

        Instance(int index, int httpPort, int clusterPort, int wirePort) {
            this.index = index;
            this.httpPort = httpPort;
            this.clusterPort = clusterPort;
            this.wirePort = wirePort;
        }

        String node() {
            return "127.0.0.1:" + clusterPort;
        }

        void start(String members) throws IOException {
            Path logs = Files.createDirectories(Path.of("target", "cluster-logs"));
            Path data = Files.createTempDirectory("rusm-cluster-node");
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), "io.rusm.demo.DemoApplication",
                    "--spring.profiles.active=demo,cluster", "--server.port=" + httpPort,
                    "--rusm.cluster.port=" + clusterPort, "--rusm.wire.port=" + wirePort, "--rusm.cluster.members=" + members,
                    "--demo.cluster.db-url=" + postgres.jdbcUrl(), "--rusm.kv.path=" + data,
                    "--logging.level.io.rusm.cluster=INFO");
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("node-" + index + ".log").toFile())).start();
        }

        boolean ready() {
            if (!process.isAlive()) throw new AssertionError("node " + index + " exited with " + process.exitValue() + ": see target/cluster-logs/node-" + index + ".log");
            try {
                return get("/actuator/health/readiness").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** The singleton's owner as this node's health shows it, or null. */
        String ownerOf(String singleton) {
            try {
                JsonNode leaf = JSON.readTree(get("/actuator/health/rusm").body()).path("components").path(singleton).path("details");
                return leaf.path("running").asBoolean(false) ? leaf.path("node").asString(null) : null;
            } catch (Exception e) {
                return null;
            }
        }

        void signal(String sig) throws Exception {
            new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        postgres = LocalPostgres.start();
        List<String> members = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes[i] = new Instance(i, LoopbackPorts.reserve(), LoopbackPorts.reserve(), LoopbackPorts.reserve());
            members.add("127.0.0.1:" + nodes[i].clusterPort);
        }
        for (Instance n : nodes) n.start(String.join(",", members));
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (Instance n : nodes) if (!n.ready()) return false;
            return true;
        });
    }

    @AfterAll
    void stopCluster() {
        for (Instance n : nodes) {
            if (n == null || n.process == null) continue;
            try {
                n.signal("CONT");
            } catch (Exception ignored) {
                // it is killed below anyway
            }
            n.process.destroyForcibly();
        }
        for (Instance n : nodes) {
            if (n != null && n.process != null) {
                try {
                    n.process.waitFor(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (postgres != null) postgres.close();
    }

    private String agreedOwner() {
        String first = null;
        for (Instance n : nodes) {
            if (!n.process.isAlive()) continue;
            String o = n.ownerOf("durableCounter");
            if (o == null || (first != null && !first.equals(o))) return null;
            first = o;
        }
        return first;
    }

    private Instance byNode(String node) {
        for (Instance n : nodes) if (n.node().equals(node)) return n;
        throw new AssertionError("no instance " + node);
    }

    /** 64 callers bumping through {@code targets} until stopped; returns the time of each success (nanoTime). */
    private final class Callers implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();
        final AtomicLong lastSuccess = new AtomicLong();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger noconnection = new AtomicInteger();
        /** The longest any call took, and how failures answered (HTTP status, or the exception). */
        final AtomicLong slowestNanos = new AtomicLong();
        final ConcurrentHashMap<String, AtomicInteger> failuresBy = new ConcurrentHashMap<>();
        /** Set at a kill: how long after it the calls sent before it took to end. */
        volatile long killedAt = Long.MAX_VALUE;
        final AtomicLong latestEndOfEarlierCall = new AtomicLong();
        volatile List<Instance> targets;

        Callers(List<Instance> targets) {
            this.targets = targets;
            for (int i = 0; i < 64; i++) {
                int id = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    int k = id;
                    while (!stop.get()) {
                        List<Instance> t = this.targets;
                        Instance n = t.get(k++ % t.size());
                        bump(n);
                    }
                }));
            }
        }

        void bump(Instance n) {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort + "/api/durable-counter/bump?by=1"))
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody()).build();
            long sent = System.nanoTime();
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                slowestNanos.accumulateAndGet(System.nanoTime() - sent, Math::max);
                if (r.statusCode() != 200) {
                    String detail = JSON.readTree(r.body()).path("detail").asString("");
                    failuresBy.computeIfAbsent("HTTP " + r.statusCode() + " " + detail.substring(0, Math.min(90, detail.length())),
                            k -> new AtomicInteger()).incrementAndGet();
                }
                if (sent < killedAt && killedAt != Long.MAX_VALUE) latestEndOfEarlierCall.accumulateAndGet(System.nanoTime() - killedAt, Math::max);
                if (r.body().contains("noconnection")) noconnection.incrementAndGet();
                if (r.statusCode() == 200) {
                    long v = JSON.readTree(r.body()).path("value").asLong();
                    if (!acked.add(v)) duplicates.incrementAndGet();
                    lastSuccess.set(System.nanoTime());
                    return;
                }
                failures.incrementAndGet();
                if (r.statusCode() != 503 && r.statusCode() != 409) ambiguous.incrementAndGet(); // may or may not have run
            } catch (java.net.ConnectException e) {
                failuresBy.computeIfAbsent("connection refused", k -> new AtomicInteger()).incrementAndGet();
                failures.incrementAndGet(); // never sent
            } catch (Exception e) {
                failuresBy.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                failures.incrementAndGet();
                ambiguous.incrementAndGet();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) t.join(Duration.ofSeconds(30));
        }
    }

    private long total(Instance via) throws Exception {
        return JSON.readTree(via.get("/api/durable-counter").body()).path("value").asLong();
    }

    private long epoch() throws Exception {
        try (Connection c = postgres.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT epoch FROM rusm_epochs WHERE name = 'durableCounter'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private void checkHistory(Instance via) throws Exception {
        long finalValue = total(via);
        System.out.printf("history: %d acknowledged, %d ambiguous, final value %d%n", acked.size(), ambiguous.get(), finalValue);
        assertThat(duplicates.get()).as("a value handed out twice = a bump applied twice").isZero();
        assertThat(finalValue).as("every acknowledged bump is in the final value").isGreaterThanOrEqualTo(acked.size());
        assertThat(acked).as("no acknowledged value beyond the final one").allMatch(v -> v <= finalValue);
        assertThat(finalValue).as("nothing applied that no caller sent").isLessThanOrEqualTo(acked.size() + ambiguous.get());
    }

    @Test
    @Order(1)
    void everyNodeAgreesWhereTheSingletonRunsAndBumpsAddUp() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> agreedOwner() != null);
        try (Callers callers = new Callers(List.of(nodes))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 500);
        }
        checkHistory(nodes[0]);
        assertThat(ambiguous.get()).isZero();
        assertThat(total(nodes[1])).isEqualTo(acked.size());
    }

    /** Kill rounds: 1 in CI, more with -Drusm.cluster.rounds=10 (bench/run) for the p50/p99 in BENCHMARKS.md. */
    private static final int ROUNDS = Integer.getInteger("rusm.cluster.rounds", 1);

    @Test
    @Order(2)
    void killingTheOwnerFailsOverAndLosesNothingAcknowledged() throws Exception {
        List<Long> failovers = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            if (round > 0) restartDead();
            await().atMost(Duration.ofSeconds(30)).until(() -> agreedOwner() != null);
            String owner = agreedOwner();
            Instance victim = byNode(owner);
            List<Instance> survivors = new ArrayList<>();
            for (Instance n : nodes) if (n != victim) survivors.add(n);
            try (Callers callers = new Callers(survivors)) {
                long before = acked.size();
                await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() >= before + 200);
                long killed = System.nanoTime();
                callers.killedAt = killed;
                victim.process.destroyForcibly(); // SIGKILL
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> callers.lastSuccess.get() > killed
                        && survivors.stream().allMatch(n -> byNodeOwner(n) != null && !owner.equals(byNodeOwner(n))));
                long failoverMs = TimeUnit.NANOSECONDS.toMillis(callers.lastSuccess.get() - killed);
                failovers.add(failoverMs);
                System.out.printf("failover after kill -9 (round %d): first acknowledged call %d ms after the kill%n", round + 1, failoverMs);
                assertThat(failoverMs).as("calls succeed again soon after the kill (target 2 s; wide margin here)").isLessThan(15_000);
                long inFlightMs = TimeUnit.NANOSECONDS.toMillis(callers.latestEndOfEarlierCall.get());
                System.out.printf("calls in flight at the kill ended within %d ms of it; %d answered noconnection%n", inFlightMs, callers.noconnection.get());
                assertThat(inFlightMs).as("calls in flight on the dead node fail at once (well under the 5 s call timeout)").isLessThan(2_500);
                long after = acked.size();
                await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= after + 200);
            }
            checkHistory(survivors.getFirst());
            victim.process.waitFor(10, TimeUnit.SECONDS);
        }
        List<Long> sorted = failovers.stream().sorted().toList();
        String line = String.format("kill -9 failover over %d rounds: p50 %d ms, p99 %d ms, max %d ms%n", sorted.size(),
                sorted.get((sorted.size() - 1) / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1), sorted.getLast());
        System.out.print(line);
        Files.writeString(Files.createDirectories(Path.of("target", "cluster-logs")).resolve("failover.txt"), line);
    }

    /** Starts again every instance that is not running, and waits until all are ready and agree. */
    private void restartDead() throws Exception {
        List<String> members = new ArrayList<>();
        for (Instance n : nodes) members.add("127.0.0.1:" + n.clusterPort);
        for (Instance n : nodes) if (!n.process.isAlive()) n.start(String.join(",", members));
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (Instance n : nodes) if (!n.ready()) return false;
                return agreedOwner() != null;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            dumpThreads();
            throw e;
        }
    }

    /** Thread dumps of every live node next to its log, for a failure that is a hang. */
    private void dumpThreads() {
        for (Instance n : nodes) {
            if (n.process == null || !n.process.isAlive()) continue;
            try {
                Path out = Path.of("target", "cluster-logs", "node-" + n.index + "-threads.txt");
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(n.process.pid()),
                        "Thread.dump_to_file", "-overwrite", out.toAbsolutePath().toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private String byNodeOwner(Instance n) {
        return n.ownerOf("durableCounter");
    }

    @Test
    @Order(3)
    void aFrozenOwnerIsFencedWhenItResumes() throws Exception {
        restartDead(); // the killed one comes back, so two remain (the quorum) when the owner freezes
        String owner = agreedOwner();
        Instance frozen = byNode(owner);
        long epochBefore = epoch();
        List<Instance> others = new ArrayList<>();
        for (Instance n : nodes) if (n != frozen) others.add(n);
        try (Callers callers = new Callers(List.of(nodes))) { // some calls hang on the frozen node, then resume into the fence
            long started = acked.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() >= started + 100);
            long stopped = System.nanoTime();
            frozen.signal("STOP");
            callers.targets = others;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> callers.lastSuccess.get() > stopped + TimeUnit.SECONDS.toNanos(1) && epoch() > epochBefore);
            System.out.printf("failover after SIGSTOP: serving again %d ms after the freeze (failure-timeout 5 s)%n",
                    TimeUnit.NANOSECONDS.toMillis(callers.lastSuccess.get() - stopped));
            frozen.signal("CONT");
            callers.targets = List.of(nodes);
            long resumed = acked.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= resumed + 200);
        }
        // the resumed owner found itself fenced: its incarnation ended with reason fenced, and it never committed again
        await().atMost(Duration.ofSeconds(30)).until(() -> frozen.get("/actuator/prometheus").body().contains("rusm_fenced_total{service=\"durableCounter\"}"));
        assertThat(epoch()).isGreaterThan(epochBefore);
        checkHistory(others.getFirst());
    }

    @Test
    @Order(4)
    void aRollingRestartLosesNoAcknowledgedCall() throws Exception {
        restartDead();
        List<String> members = new ArrayList<>();
        for (Instance n : nodes) members.add("127.0.0.1:" + n.clusterPort);
        long failuresBefore;
        long handovers = 0;
        try (Callers callers = new Callers(List.of(nodes))) {
            failuresBefore = callers.failures.get();
            for (Instance n : nodes) {
                List<Instance> others = new ArrayList<>();
                for (Instance o : nodes) if (o != n) others.add(o);
                callers.targets = others; // the load balancer drains it first
                Thread.sleep(300); // let the calls already sent to it finish (not a synchronization: a drain period)
                boolean wasOwner = n.node().equals(agreedOwner());
                if (wasOwner) handovers++;
                long before = acked.size();
                long termAt = System.nanoTime();
                n.signal("TERM"); // graceful: web drains, singletons hand over, then the JVM exits
                if (wasOwner) {
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> callers.lastSuccess.get() > termAt
                            && others.stream().allMatch(o -> { String w = byNodeOwner(o); return w != null && !w.equals(n.node()); }));
                    System.out.printf("graceful handover: the new owner answered %d ms after SIGTERM of the old one%n",
                            TimeUnit.NANOSECONDS.toMillis(callers.lastSuccess.get() - termAt));
                }
                assertThat(n.process.waitFor(60, TimeUnit.SECONDS)).as("graceful stop of node %d", n.index).isTrue();
                await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= before + 100);
                n.start(String.join(",", members));
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(n::ready);
                callers.targets = List.of(nodes);
            }
            long after = acked.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= after + 100);
            long failed = callers.failures.get() - failuresBefore;
            System.out.printf("rolling restart of %d nodes (%d handovers of the owner): %d calls failed %s; slowest call %d ms%n", NODES,
                    handovers, failed, callers.failuresBy, TimeUnit.NANOSECONDS.toMillis(callers.slowestNanos.get()));
            // none hangs: every call ends within its call timeout (5 s) plus a wide margin; failures are HTTP answers
            assertThat(callers.slowestNanos.get()).isLessThan(TimeUnit.SECONDS.toNanos(15));
            assertThat(callers.failuresBy.keySet()).allMatch(k -> k.startsWith("HTTP ") || k.equals("connection refused"));
        }
        checkHistory(nodes[0]);
    }

    @Test
    @Order(5)
    void aMonitorOnAnotherNodeSeesTheCrashThenNoconnection() throws Exception {
        restartDead();
        String owner = agreedOwner();
        Instance home = byNode(owner);
        Instance away = nodes[(home.index + 1) % NODES];
        // The watched incarnation may end otherwise before the crash lands (fenced: its lease lapsed
        // while a restarted JVM took both cores), which its Down then says: watch and crash again.
        for (int attempt = 1; ; attempt++) {
            awaitServing(away); // the owner may still wait for a previous owner's lease: watch the incarnation that crashes
            assertThat(post(away, "/demo/watch/durableCounter").statusCode()).isEqualTo(200);
            assertThat(post(away, "/demo/durableCounter/crash").statusCode()).isEqualTo(200); // crashes on its owner
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> away.get("/demo/watch/durableCounter").body().contains("\"crashed\""));
                break;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                String seen = away.get("/demo/watch/durableCounter").body();
                System.out.println("monitor attempt " + attempt + " saw: " + seen);
                if (attempt == 3 || !seen.contains("\"reason\"")) throw e;
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> agreedOwner() != null);
        Instance owner2 = byNode(agreedOwner());
        Instance watcher = owner2 == away ? nodes[(away.index + 1) % NODES] : away;
        awaitServing(watcher);
        assertThat(post(watcher, "/demo/watch/durableCounter").statusCode()).isEqualTo(200);
        owner2.process.destroyForcibly();
        await().atMost(Duration.ofSeconds(20)).until(() -> watcher.get("/demo/watch/durableCounter").body().contains("\"noconnection\""));
        System.out.println("remote monitor saw: " + watcher.get("/demo/watch/durableCounter").body());
        owner2.process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Until a call through {@code via} reaches a running durable counter (a watch before that may catch an incarnation on its way out). */
    private void awaitServing(Instance via) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> post(via, "/api/durable-counter/bump").statusCode() == 200);
    }

    /** Keys of the keyed tally: 3,000 in CI, the 10,000 with -Drusm.cluster.keys=10000 (bench/run). */
    private static final int KEYS = Integer.getInteger("rusm.cluster.keys", 3_000);

    /** What callers know of one key: the sum of acknowledged adds, and of adds whose answer was lost (may or may not have run). */
    private record KeyHistory(java.util.concurrent.atomic.LongAdder acked, java.util.concurrent.atomic.LongAdder ambiguous) {
        KeyHistory() {
            this(new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder());
        }
    }

    /** One add; true when acknowledged. Refusals (503, 409, connection refused) never ran; other failures may have. */
    private boolean add(Instance via, String key, long n, KeyHistory h, ConcurrentHashMap<String, AtomicInteger> failures) {
        try {
            HttpResponse<String> r = post(via, "/tallies/" + key + "/add?n=" + n);
            if (r.statusCode() == 200) {
                h.acked().add(n);
                return true;
            }
            failures.computeIfAbsent("HTTP " + r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
            if (r.statusCode() != 503 && r.statusCode() != 409) h.ambiguous().add(n);
        } catch (java.net.ConnectException e) {
            failures.computeIfAbsent("connection refused", k -> new AtomicInteger()).incrementAndGet();
        } catch (Exception e) {
            failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
            h.ambiguous().add(n);
        }
        return false;
    }

    /** Runs {@code tasks} on 64 virtual threads, each task once; bounded. */
    private static void onCallers(List<Runnable> tasks) throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int t; (t = next.getAndIncrement()) < tasks.size(); ) tasks.get(t).run();
            }));
        }
        for (Thread t : threads) assertThat(t.join(Duration.ofMinutes(3))).as("a caller finished").isTrue();
    }

    /** Reads of a key's total that were not answered 200 (asked again), since the last check. */
    private final AtomicLong unavailableReads = new AtomicLong();

    /**
     * A key's total through {@code n}. A key fenced meanwhile (its shard's lease lapsed under this
     * load, README: <em>Known limit: shard leases under overload</em>) answers 500, or a read times
     * out, until its next call starts it again: that is availability, counted and asked again for
     * up to 30 s; the total is what the check is about.
     */
    private HttpResponse<String> readTotal(Instance n, String key) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpResponse<String> r = n.get("/tallies/" + key);
                if (r.statusCode() == 200 || System.nanoTime() > end) return r;
            } catch (java.net.http.HttpTimeoutException slow) {
                if (System.nanoTime() > end) throw slow;
            }
            unavailableReads.incrementAndGet();
            Thread.sleep(50);
        }
    }

    /** Every key's total read through {@code via} (round robin); returns key → node that answered for it. */
    private java.util.Map<String, String> checkTotals(List<Instance> via, java.util.Map<String, KeyHistory> history) throws InterruptedException {
        java.util.Map<String, String> nodeOf = new ConcurrentHashMap<>();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Runnable> reads = new ArrayList<>();
        int i = 0;
        for (var e : history.entrySet()) {
            Instance n = via.get(i++ % via.size());
            reads.add(() -> {
                try {
                    HttpResponse<String> r = readTotal(n, e.getKey());
                    JsonNode body = JSON.readTree(r.body());
                    long total = body.path("total").asLong(-1);
                    long acked = e.getValue().acked().sum();
                    if (r.statusCode() != 200 || total < acked || total > acked + e.getValue().ambiguous().sum()) {
                        wrong.add(e.getKey() + ": HTTP " + r.statusCode() + " total " + total + ", acknowledged " + acked
                                + ", ambiguous " + e.getValue().ambiguous().sum());
                    }
                    nodeOf.put(e.getKey(), body.path("node").asString("?"));
                } catch (Exception x) {
                    wrong.add(e.getKey() + ": " + x);
                }
            });
        }
        onCallers(reads);
        System.out.printf("keyed totals: %d reads answered other than 200 and were asked again%n", unavailableReads.getAndSet(0));
        assertThat(wrong).as("keys whose total is not their acknowledged adds (lost or applied twice)").isEmpty();
        return nodeOf;
    }

    @Test
    @Order(6)
    void keysSpreadOverTheNodesAndComeBackWithTheirStateAfterAKill() throws Exception {
        restartDead();
        java.util.Map<String, KeyHistory> history = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        for (int k = 0; k < KEYS; k++) history.put("key-" + k, new KeyHistory());

        // every node adds to every key, all at once: 3 adds per key, in a shuffled order
        List<Runnable> adds = new ArrayList<>();
        for (String key : history.keySet()) {
            for (Instance n : nodes) adds.add(() -> add(n, key, n.index + 1, history.get(key), failures));
        }
        java.util.Collections.shuffle(adds, new java.util.Random(42));
        long t0 = System.nanoTime();
        onCallers(adds);
        double seconds = (System.nanoTime() - t0) / 1e9;
        java.util.Map<String, String> nodeOf = checkTotals(List.of(nodes), history);
        java.util.Map<String, Long> spread = new java.util.TreeMap<>();
        nodeOf.values().forEach(n -> spread.merge(n, 1L, Long::sum));
        String line = String.format("keyed: %d keys, %d adds from 3 nodes in %.1f s (%.0f adds/s over HTTP, durable in PostgreSQL); "
                + "spread %s; failures %s%n", KEYS, adds.size(), seconds, adds.size() / seconds, spread, failures);
        System.out.print(line);
        assertThat(spread.keySet()).as("keys run on every node").hasSize(NODES);
        for (long count : spread.values()) assertThat(count).as("a fair share on each node").isGreaterThan(KEYS / 10);
        // one process per key: every node sends a key to the same owner
        for (int k = 0; k < Math.min(KEYS, 300); k++) {
            String key = "key-" + k;
            for (Instance n : nodes) {
                assertThat(JSON.readTree(n.get("/tallies/" + key).body()).path("node").asString()).as("%s asked from %s", key, n.node())
                        .isEqualTo(nodeOf.get(key));
            }
        }

        // kill -9 one node: its keys come back on the others, with their totals from Kv
        Instance victim = nodes[2];
        List<Instance> survivors = List.of(nodes[0], nodes[1]);
        long movedKeys = nodeOf.values().stream().filter(victim.node()::equals).count();
        long killed = System.nanoTime();
        victim.process.destroyForcibly();
        List<Runnable> after = new ArrayList<>();
        int i = 0;
        for (String key : history.keySet()) {
            Instance via = survivors.get(i++ % 2);
            after.add(() -> { // retried until acknowledged (the failover takes about a lease), bounded
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!add(via, key, 10, history.get(key), failures) && System.nanoTime() < end) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
        }
        onCallers(after);
        double afterKill = (System.nanoTime() - killed) / 1e9;
        java.util.Map<String, String> nodeAfter = checkTotals(survivors, history);
        assertThat(nodeAfter.values()).as("no key answers from the dead node").doesNotContain(victim.node());
        long epochsBumped;
        try (Connection c = postgres.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM rusm_epochs WHERE name LIKE 'tally#%' AND epoch > 1")) {
            rs.next();
            epochsBumped = rs.getLong(1);
        }
        String killLine = String.format("keyed after kill -9 of %s: its %d keys came back on the survivors; one more add to each of %d keys"
                + " acknowledged within %.1f s of the kill; %d shards took a new epoch; failures %s%n",
                victim.node(), movedKeys, KEYS, afterKill, epochsBumped, failures);
        System.out.print(killLine);
        assertThat(epochsBumped).as("the dead node's shards were taken over under a new epoch").isPositive();
        Files.writeString(Files.createDirectories(Path.of("target", "cluster-logs")).resolve("keyed.txt"), line + killLine);
        victim.process.waitFor(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> post(Instance n, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort + path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
