package io.rusm.cluster;

import io.rusm.Key;
import io.rusm.KeyedSpec;
import io.rusm.Kv;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import io.rusm.kv.KvStore;
import io.rusm.cluster.InJvmCluster.Member;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keyed services across three nodes in one JVM (three Hazelcast members and wires on loopback, leases
 * and {@code Kv} in one H2 database): each key runs once, on its partition's owner, is reached from
 * every node, and moves with its state when its node leaves. The separate-JVM test (kill -9) is in
 * {@code demo-app}.
 */
@Timeout(120)
class KeyedInClusterTest {

    @ServiceClient("tally")
    public interface TallyClient {
        long add(@Key String key, long n);

        String where(@Key String key);
    }

    /** A sum per key, durable in the key's own Kv namespace. */
    @ResidentService("tally")
    public static class Tally {
        private final Kv kv;
        private long total;

        public Tally(Kv kv) {
            this.kv = kv;
            this.total = kv.get("total", Long.class).orElse(0L);
        }

        public long add(long n) {
            kv.put("total", total + n); // durable before the reply
            total += n;
            return total;
        }

        public String where() {
            return io.rusm.ProcessContext.self().node();
        }
    }

    private InJvmCluster cluster;
    private List<Member> nodes = List.of();

    @AfterEach
    void close() {
        if (cluster != null) cluster.close();
    }

    private LeaseStore leases;
    /** Leases in Hazelcast's map (the store without a shared database) instead of the JDBC one. */
    private boolean hazelcastLeases;
    private Kv kvOfKey;

    /** Room for three members; the first {@code n} start now, the others with {@link #startNode}. */
    private void startCluster(int n) throws Exception {
        cluster = new InJvmCluster("keyed", 3);
        nodes = cluster.members;
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:keyed-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        leases = new JdbcLeaseStore(ds);
        // shared, as rusm.kv.store=jdbc: a key's state follows it. Hazelcast's leases do not fence a JDBC
        // Kv (its writes check the epoch table those leases never write), so that variant shares one
        // embedded store instead, which one JVM can.
        KvStore kv = cluster.keep(hazelcastLeases ? KvStore.embedded(java.nio.file.Files.createTempDirectory("keyed-kv")) : KvStore.jdbc(ds));
        kvOfKey = kv.forCallingService();
        for (int i = 0; i < n; i++) startNode(i);
        cluster.awaitSettled();
    }

    private void startNode(int i) throws Exception {
        cluster.start(i, hazelcastLeases ? null : leases, Set.of(), node -> { }, node -> node.startSupervisor(
                SupervisorSpec.of("rusm").withChildren(List.of(
                        node.keyedService(KeyedSpec.of(ServiceDefinition.of(Tally.class), () -> new Tally(kvOfKey)))))));
    }

    private static int live(Member m) {
        return m.node().keyedStats("tally").orElseThrow().liveKeys();
    }

    @Test
    void eachKeyRunsOnceOnItsOwnerAndEveryNodeReachesIt() throws Exception {
        startCluster(3);
        eachKeyOnceAndReachable();
    }

    @Test
    void withLeasesInHazelcastEveryShardLeaseIsRenewedInOneRoundAndNoKeyIsFenced() throws Exception {
        hazelcastLeases = true;
        startCluster(3);
        eachKeyOnceAndReachable();
        // ~100 shard leases per node renewed every quarter lease: renewed at once, none lapses while the cluster is healthy
        long restarts = nodes.stream().mapToLong(m -> m.node().keyedStats("tally").orElseThrow().restarts()).sum();
        assertThat(restarts).as("keys restarted (fenced by a lapsed shard lease)").isZero();
    }

    private void eachKeyOnceAndReachable() throws Exception {
        int keys = 300;
        Map<String, AtomicLong> expected = new ConcurrentHashMap<>();
        List<Thread> callers = new ArrayList<>();
        for (Member m : nodes) { // every node adds to every key, at once
            TallyClient tally = m.node().client(TallyClient.class);
            callers.add(Thread.ofVirtual().start(() -> {
                for (int k = 0; k < keys; k++) {
                    String key = "k" + k;
                    tally.add(key, k + 1);
                    expected.computeIfAbsent(key, x -> new AtomicLong()).addAndGet(k + 1);
                }
            }));
        }
        for (Thread t : callers) assertThat(t.join(Duration.ofSeconds(90))).isTrue();

        Map<String, Integer> spread = new TreeMap<>();
        for (int k = 0; k < keys; k++) {
            String key = "k" + k;
            String owner = nodes.get(0).cluster().ownerOf("tally/" + key).orElseThrow();
            for (Member m : nodes) {
                TallyClient tally = m.node().client(TallyClient.class);
                assertThat(tally.where(key)).as("where %s runs, asked from %s", key, m.node().name()).isEqualTo(owner);
            }
            assertThat(nodes.get(k % 3).node().client(TallyClient.class).add(key, 0)).isEqualTo(expected.get(key).get());
            spread.merge(owner, 1, Integer::sum);
        }
        // one process per key in the whole cluster, spread over every node
        assertThat(nodes.stream().mapToInt(KeyedInClusterTest::live).sum()).isEqualTo(keys);
        assertThat(spread).hasSize(3);
        for (Member m : nodes) assertThat(live(m)).isEqualTo(spread.get(m.node().name()));
        // fenced per shard, not per key: far fewer leases than keys
        assertThat(nodes.stream().mapToInt(m -> m.cluster().keyShards()).sum()).isLessThanOrEqualTo(271);
    }

    @Test
    void keysMoveToANodeThatJoinsWhileCallsGoOnAndNoAcknowledgedAddIsLostOrCountedTwice() throws Exception {
        startCluster(2);
        int keys = 200;
        TallyClient tally = nodes.get(0).node().client(TallyClient.class);
        // every add of 1 answers the key's new total: acknowledged totals per key must be distinct (none applied
        // twice) and the final total must cover them all (none lost)
        Map<String, Set<Long>> acked = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> callers = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            int id = c;
            callers.add(Thread.ofVirtual().start(() -> {
                for (int i = id; !stop.get(); i += 16) {
                    String key = "j" + (i % keys);
                    try {
                        long total = tally.add(key, 1);
                        if (!acked.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(total)) duplicates.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() == keys);
        startNode(2); // partitions, and the keys in them, move to the new member while the calls go on
        cluster.awaitSettled();
        Member joined = nodes.get(2);
        await().atMost(Duration.ofSeconds(30)).until(() -> live(joined) > 0);
        long sizeNow = acked.values().stream().mapToLong(Set::size).sum();
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.values().stream().mapToLong(Set::size).sum() > sizeNow + 500);
        stop.set(true);
        for (Thread t : callers) assertThat(t.join(Duration.ofSeconds(30))).isTrue();

        assertThat(duplicates.get()).as("an add applied twice").isZero();
        for (int k = 0; k < keys; k++) {
            String key = "j" + k;
            long total = tally.add(key, 0);
            Set<Long> seen = acked.get(key);
            assertThat(total).as("%s: every acknowledged add is in the total", key).isGreaterThanOrEqualTo(seen.size());
            assertThat(seen).allMatch(v -> v <= total);
            assertThat(total).as("%s: nothing beyond what was sent", key).isLessThanOrEqualTo(seen.size() + failed.get());
        }
        assertThat(live(nodes.get(0)) + live(nodes.get(1)) + live(joined)).as("one process per key").isEqualTo(keys);
        System.out.printf("join: %d keys now on the new member; %d calls failed during the move%n", live(joined), failed.get());
    }

    @Test
    void keysMoveWithTheirStateWhenTheirNodeLeaves() throws Exception {
        startCluster(3);
        int keys = 100;
        Member asker = nodes.get(0);
        TallyClient tally = asker.node().client(TallyClient.class);
        for (int k = 0; k < keys; k++) assertThat(tally.add("m" + k, 10)).isEqualTo(10);
        Member leaving = nodes.get(2);
        int movedAway = live(leaving);
        assertThat(movedAway).isPositive();

        leaving.cluster().leave(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(30)).until(() -> live(leaving) == 0);
        for (int k = 0; k < keys; k++) {
            assertThat(tally.add("m" + k, 1)).as("m%d after the leave", k).isEqualTo(11); // state from Kv
            assertThat(tally.where("m" + k)).isNotEqualTo(leaving.node().name());
        }
        assertThat(live(nodes.get(0)) + live(nodes.get(1))).isEqualTo(keys);
    }
}
