package io.rusm.spring.cluster;

import io.rusm.LoopbackPorts;
import io.rusm.Node;
import io.rusm.cluster.RusmCluster;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmConfigurationException;
import io.rusm.spring.RusmFailureAnalyzer;
import io.rusm.spring.kv.RusmKvAutoConfiguration;
import io.rusm.spring.cluster.fixtures.TallyClient;
import io.rusm.spring.cluster.fixtures.TallyConfig;
import io.rusm.spring.kv.fixtures.DurableCounterConfig;
import io.rusm.spring.wire.RusmWireAutoConfiguration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster auto-configuration: a one-member cluster starts, places the node and shows itself in
 * health; each misconfiguration the cluster issue lists fails startup with a report naming the
 * property (embedded Kv under a singleton that uses it, an unreachable member list, a port in use,
 * min-members larger than the member list).
 */
class RusmClusterConfigurationTests {
    @TempDir
    Path dir;

    private ApplicationContextRunner app() throws IOException {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmKvAutoConfiguration.class,
                        RusmWireAutoConfiguration.class, RusmClusterAutoConfiguration.class))
                .withUserConfiguration(DurableCounterConfig.class)
                .withPropertyValues("rusm.kv.path=" + dir, "rusm.cluster.enabled=true", "rusm.cluster.port=" + LoopbackPorts.reserve(),
                        "rusm.wire.port=" + LoopbackPorts.reserve(), "rusm.cluster.failure-timeout=2s");
    }

    private static DataSource h2() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:cluster-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    @Test
    void aOneMemberClusterRunsItsSingletonWithJdbcFencing() throws IOException {
        app().withPropertyValues("rusm.kv.store=jdbc", "rusm.components.durableCounter.placement=singleton")
                .withBean(DataSource.class, RusmClusterConfigurationTests::h2)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RusmCluster cluster = context.getBean(RusmCluster.class);
                    Node node = context.getBean(Node.class);
                    assertThat(node.placement()).containsSame(cluster);
                    assertThat(cluster.singletons()).containsExactly("durableCounter");
                    assertThat(cluster.fencesKv()).isTrue();
                    assertThat(node.name()).isEqualTo(cluster.localNode()).startsWith("127.0.0.1:");
                });
    }

    @Test
    void embeddedKvUnderASingletonThatUsesIt() throws IOException {
        assertFailure(app().withPropertyValues("rusm.components.durableCounter.placement=singleton"), "rusm.kv.store",
                a -> assertThat(a.getDescription()).contains("durableCounter").contains("embedded"));
    }

    @Test
    void aOneMemberClusterRunsAKeyedServiceFencedPerShard() throws IOException {
        DataSource db = h2();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmKvAutoConfiguration.class,
                        RusmWireAutoConfiguration.class, RusmClusterAutoConfiguration.class))
                .withUserConfiguration(TallyConfig.class)
                .withBean(DataSource.class, () -> db)
                .withPropertyValues("rusm.kv.store=jdbc", "rusm.components.tally.placement=keyed", "rusm.cluster.enabled=true",
                        "rusm.cluster.port=" + LoopbackPorts.reserve(), "rusm.wire.port=" + LoopbackPorts.reserve(), "rusm.cluster.failure-timeout=2s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TallyClient tally = context.getBean(TallyClient.class);
                    assertThat(tally.add("a", 2)).isEqualTo(2);
                    assertThat(tally.add("a", 3)).isEqualTo(5);
                    assertThat(tally.add("b", 1)).isEqualTo(1);
                    Node node = context.getBean(Node.class);
                    RusmCluster cluster = context.getBean(RusmCluster.class);
                    assertThat(node.keyedStats("tally").orElseThrow().liveKeys()).isEqualTo(2);
                    assertThat(cluster.ownerOf("tally/a")).contains(node.name());
                    assertThat(cluster.keyShards()).isBetween(1, 2); // a lease per partition with keys, not per key
                    // the key's writes carry its shard's epoch, kept in the shared database
                    try (var c = db.getConnection(); var rs = c.createStatement().executeQuery(
                            "SELECT COUNT(*) FROM rusm_epochs WHERE name LIKE 'tally#%'")) {
                        rs.next();
                        assertThat(rs.getInt(1)).isEqualTo(cluster.keyShards());
                    }
                });
    }

    @Test
    void embeddedKvUnderAKeyedServiceThatUsesIt() throws IOException {
        assertFailure(new ApplicationContextRunner()
                        .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmKvAutoConfiguration.class,
                                RusmWireAutoConfiguration.class, RusmClusterAutoConfiguration.class))
                        .withUserConfiguration(TallyConfig.class)
                        .withPropertyValues("rusm.kv.path=" + dir, "rusm.components.tally.placement=keyed", "rusm.cluster.enabled=true",
                                "rusm.cluster.port=" + LoopbackPorts.reserve(), "rusm.wire.port=" + LoopbackPorts.reserve()),
                "rusm.kv.store", a -> assertThat(a.getDescription()).contains("keyed service 'tally'").contains("embedded"));
    }

    @Test
    void minMembersLargerThanTheMemberList() throws IOException {
        assertFailure(app().withPropertyValues("rusm.cluster.members=127.0.0.1:5701,127.0.0.1:5702", "rusm.cluster.min-members=3"),
                "rusm.cluster.min-members", a -> assertThat(a.getAction()).contains("at most 2"));
    }

    @Test
    void anUnknownMemberHost() throws IOException {
        assertFailure(app().withPropertyValues("rusm.cluster.members=no-such-host.invalid:5701"), "rusm.cluster.members",
                a -> assertThat(a.getDescription()).contains("no-such-host.invalid"));
    }

    @Test
    void aMemberListOfWhichNobodyAnswers() throws IOException {
        int nobody = LoopbackPorts.reserve(); // closed again: nothing listens there
        assertFailure(app().withPropertyValues("rusm.cluster.members=127.0.0.1:" + nobody), "rusm.cluster.members",
                a -> assertThat(a.getDescription()).contains("answered"));
    }

    @Test
    void aMembershipPortInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertFailure(app().withPropertyValues("rusm.cluster.port=" + taken.getLocalPort()), "rusm.cluster.port",
                    a -> assertThat(a.getDescription()).contains("in use"));
        }
    }

    private static void assertFailure(ApplicationContextRunner runner, String property, Consumer<FailureAnalysis> more) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            RusmConfigurationException cause = null;
            for (Throwable t = failure; t != null; t = t.getCause()) if (t instanceof RusmConfigurationException r) cause = r;
            assertThat(cause).as("startup failure %s", failure).isNotNull();
            assertThat(cause.property()).isEqualTo(property);
            FailureAnalysis analysis = new RusmFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).startsWith("Invalid rusm configuration at '" + property + "'");
            more.accept(analysis);
        });
    }
}
