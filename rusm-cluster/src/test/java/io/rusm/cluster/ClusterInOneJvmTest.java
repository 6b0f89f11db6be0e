package io.rusm.cluster;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ResidentService;
import io.rusm.ServiceClient;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.cluster.InJvmCluster.Member;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes in one JVM (three Hazelcast members, three wires on loopback, leases in one H2
 * database): the singleton runs once, every node reaches it, and it moves when its owner leaves.
 * The separate-JVM tests (kill -9, SIGSTOP) are in {@code demo-app}.
 */
@Timeout(120)
class ClusterInOneJvmTest {

    @ServiceClient("counter")
    public interface CounterClient {
        long bump(long by);

        String where();

        void crash(String why);
    }

    @ResidentService("counter")
    public static class Counter {
        private long count;

        public long bump(long by) {
            count += by;
            return count;
        }

        public String where() {
            return io.rusm.ProcessContext.self().node();
        }

        public void crash(String why) {
            throw new IllegalStateException(why);
        }
    }

    /** Deliveries of the ticker's reminders: "node:reminder". */
    static final java.util.concurrent.BlockingQueue<String> FIRED = new java.util.concurrent.LinkedBlockingQueue<>();

    @ServiceClient("ticker")
    public interface TickerClient {
        void remindIn(String name, long millis);
    }

    @ResidentService("ticker")
    public static class Ticker {
        public void remindIn(String name, long millis) {
            io.rusm.ProcessContext.reminders().register(name, java.time.Instant.now().plusMillis(millis), Duration.ofHours(1));
        }

        public void onReminder(String name) {
            FIRED.add(io.rusm.ProcessContext.self().node() + ":" + name);
        }
    }

    private InJvmCluster cluster;
    private List<Member> nodes = List.of();

    @AfterEach
    void close() {
        if (cluster != null) cluster.close();
    }

    private void startCluster(int n) throws Exception {
        cluster = new InJvmCluster("test", n);
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:leases-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        LeaseStore leases = new JdbcLeaseStore(ds);
        io.rusm.kv.KvStore kv = cluster.keep(io.rusm.kv.KvStore.jdbc(ds)); // shared, as rusm.kv.store=jdbc: reminders follow the singleton
        ServiceDefinition def = ServiceDefinition.of(Counter.class);
        ServiceDefinition ticker = ServiceDefinition.of(Ticker.class);
        for (int i = 0; i < n; i++) {
            cluster.start(i, leases, Set.of("counter", "ticker"), node -> {
                node.declareService(def);
                node.declareService(ticker);
                node.reminderStore(kv::forComponent);
            }, node -> node.startSupervisor(SupervisorSpec.of("rusm").withChildren(List.of(
                    WorkerSpec.of("counter", () -> def.newBehavior(Counter::new)).withResident(false),
                    WorkerSpec.of("ticker", () -> ticker.newBehavior(Ticker::new)).withResident(false)))));
        }
        nodes = cluster.members;
        cluster.awaitSettled();
    }

    /** The member that runs {@code singleton}, once every node sees it running. */
    private Member ownerOf(String singleton) {
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(m -> m.node().whereis(singleton).isPresent()));
        String owner = nodes.get(0).node().whereis(singleton).orElseThrow().node();
        return nodes.stream().filter(m -> m.node().name().equals(owner)).findFirst().orElseThrow();
    }

    private Member anotherThan(Member member) {
        return nodes.stream().filter(m -> m != member).findFirst().orElseThrow();
    }

    @Test
    void theSingletonRunsOnceAndEveryNodeReachesIt() throws Exception {
        startCluster(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(m -> m.node().whereis("counter").isPresent()));
        Optional<Pid> first = nodes.get(0).node().whereis("counter");
        for (Member m : nodes) assertThat(m.node().whereis("counter")).isEqualTo(first);
        long running = nodes.stream().filter(m -> m.node().runtime().byName("counter") != null).count();
        assertThat(running).isEqualTo(1);

        AtomicLong acked = new AtomicLong();
        for (Member m : nodes) {
            CounterClient c = m.node().client(CounterClient.class);
            for (int i = 0; i < 50; i++) {
                c.bump(1);
                acked.incrementAndGet();
            }
            assertThat(c.where()).isEqualTo(first.orElseThrow().node());
        }
        assertThat(nodes.get(1).node().client(CounterClient.class).bump(0)).isEqualTo(acked.get());
    }

    @Test
    void theSingletonMovesWhenItsOwnerLeaves() throws Exception {
        startCluster(3);
        Member leaving = ownerOf("counter");
        String owner = leaving.node().name();
        Member other = anotherThan(leaving);
        CounterClient c = other.node().client(CounterClient.class);
        c.bump(5);
        leaving.cluster().leave(Duration.ofSeconds(5));
        // the call waits for the new owner within its timeout instead of failing
        assertThat(c.where()).isNotEqualTo(owner);
        assertThat(c.bump(1)).isEqualTo(1); // fresh state: this counter has no Kv
        long epochNow = other.cluster().holder("counter").orElseThrow().epoch();
        assertThat(epochNow).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRemoteMonitorGetsTheReasonThenNoconnectionWhenTheNodeIsLost() throws Exception {
        startCluster(2);
        Member home = ownerOf("counter");
        Member away = anotherThan(home);
        java.util.concurrent.BlockingQueue<io.rusm.Down> downs = new java.util.concurrent.LinkedBlockingQueue<>();
        Node awayNode = away.node();
        Pid watcher = awayNode.spawn(message -> {
            if (message instanceof io.rusm.Down d) downs.add(d);
            if (message instanceof Pid target) awayNode.monitor(target);
            return null;
        });

        Pid first = away.node().whereis("counter").orElseThrow();
        away.node().send(watcher, first);
        CounterClient c = away.node().client(CounterClient.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.crash("boom")).isInstanceOf(io.rusm.ProcessCrashedException.class);
        io.rusm.Down crashed = downs.poll(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(crashed).isNotNull();
        assertThat(crashed.pid()).isEqualTo(first);
        assertThat(crashed.reason().label()).isEqualTo("crashed");
        assertThat(((io.rusm.ExitReason.Crashed) crashed.reason()).cause().getMessage()).contains("boom");

        await().atMost(Duration.ofSeconds(20)).until(() -> away.node().whereis("counter").filter(p -> !p.equals(first)).isPresent());
        Pid second = away.node().whereis("counter").orElseThrow();
        away.node().send(watcher, second);
        await().atMost(Duration.ofSeconds(10)).until(() -> away.cluster().remoteMonitors() == 1);
        home.wire().close(); // the node is lost: its wire and its membership go at once, as with kill -9
        home.cluster().close();
        io.rusm.Down lost = downs.poll(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(lost).isNotNull();
        assertThat(lost.pid()).isEqualTo(second);
        assertThat(lost.reason()).isEqualTo(io.rusm.ExitReason.NOCONNECTION);
        assertThat(away.cluster().remoteMonitors()).isZero();
    }

    @Test
    void aRemoteLinkBringsTheExitSignal() throws Exception {
        startCluster(2);
        Member away = anotherThan(ownerOf("counter"));
        java.util.concurrent.BlockingQueue<io.rusm.Exit> exits = new java.util.concurrent.LinkedBlockingQueue<>();
        Node awayNode = away.node();
        Pid linked = awayNode.spawn(io.rusm.SpawnOptions.anonymous().withTrapExits(true), message -> {
            if (message instanceof io.rusm.Exit e) exits.add(e);
            if (message instanceof Pid target) awayNode.link(target);
            return null;
        });
        Pid target = away.node().whereis("counter").orElseThrow();
        away.node().send(linked, target);
        await().atMost(Duration.ofSeconds(10)).until(() -> away.cluster().remoteMonitors() == 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> away.node().client(CounterClient.class).crash("linked"))
                .isInstanceOf(io.rusm.ProcessCrashedException.class);
        io.rusm.Exit exit = exits.poll(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(exit).isNotNull();
        assertThat(exit.from()).isEqualTo(target);
        assertThat(exit.reason().label()).isEqualTo("crashed");
    }

    @Test
    void aReminderOfASingletonFiresOnceOnTheNewOwnerWhenItsOwnerIsLost() throws Exception {
        FIRED.clear();
        startCluster(2);
        Member lost = ownerOf("ticker");
        Member next = anotherThan(lost);
        next.node().client(TickerClient.class).remindIn("nightly", 3_000); // stored in the shared Kv by the owner
        lost.wire().close(); // the owner is lost (as with kill -9): its lease lapses, its incarnation may act no more
        lost.cluster().close();
        String fired = FIRED.poll(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(fired).isEqualTo(next.node().name() + ":nightly");
        // at most one delivery per due time: the old owner's incarnation, still in its JVM, is fenced
        assertThat(FIRED.poll(2, java.util.concurrent.TimeUnit.SECONDS)).isNull();
    }
}
