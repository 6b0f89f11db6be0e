package io.rusm.spring;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.rusm.Node;
import io.rusm.ProcessCrashedException;
import io.rusm.Supervisor;
import io.rusm.kv.KvStore;
import io.rusm.spring.actuate.MetricNames;
import io.rusm.spring.actuate.RusmEndpoint;
import io.rusm.spring.actuate.RusmEndpointAutoConfiguration;
import io.rusm.spring.actuate.RusmHealthAutoConfiguration;
import io.rusm.spring.actuate.RusmMetricsAutoConfiguration;
import io.rusm.spring.keyed.fixtures.CartClient;
import io.rusm.spring.keyed.fixtures.KeyedConfig;
import io.rusm.spring.keyed.fixtures.UserCart;
import io.rusm.spring.kv.RusmKvAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code placement: keyed} in a real Spring context: per-key prototype instances, Kv per key, health, endpoint, metrics, config errors. */
@Timeout(60)
class KeyedServiceSpringTests {
    @TempDir
    Path dir;

    private ApplicationContextRunner app() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, RusmAutoConfiguration.class, RusmKvAutoConfiguration.class,
                        RusmHealthAutoConfiguration.class, RusmMetricsAutoConfiguration.class, RusmEndpointAutoConfiguration.class))
                .withUserConfiguration(KeyedConfig.class)
                .withPropertyValues(KeyedConfig.PROPERTIES)
                .withPropertyValues("rusm.kv.path=" + dir.resolve("rusm-data"), "management.endpoints.web.exposure.include=rusm");
    }

    @Test
    void eachKeyGetsItsOwnInstanceAndKvAndIsShownAsCountsNeverAsAnEntryPerKey() {
        app().run(context -> {
            assertThat(context).hasNotFailed();
            Node node = context.getBean(Node.class);
            CartClient carts = context.getBean(CartClient.class);
            assertThat(carts.add("alice", "apple")).isEqualTo(5);
            assertThat(carts.add("alice", "fig")).isEqualTo(8);
            assertThat(carts.add("bob", "kiwi")).isEqualTo(4);
            assertThat(carts.user("alice")).isEqualTo("alice");
            assertThat(node.whereis("cart/alice")).isPresent();

            UserCart alice = node.client(UserCart.class, "alice");
            assertThat(alice.total()).isEqualTo(8);
            // The injected bean of a key-less interface says where bound clients come from.
            assertThatThrownBy(() -> context.getBean(UserCart.class).total()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("node.client(UserCart.class, key)");

            KvStore store = context.getBean(KvStore.class);
            assertThat(store.forComponent("cart/alice").get("total", Integer.class)).contains(8);
            assertThat(store.forComponent("cart/bob").get("total", Integer.class)).contains(4);

            CompositeHealthContributor rusm = context.getBean("rusmHealthContributor", CompositeHealthContributor.class);
            assertThat(rusm.stream().map(e -> e.name())).containsExactly("cart");
            Health cart = ((HealthIndicator) rusm.getContributor("cart")).health();
            assertThat(cart.getStatus()).isEqualTo(Status.UP);
            assertThat(cart.getDetails()).containsEntry("state", "running");
            @SuppressWarnings("unchecked")
            Map<String, Object> keyed = (Map<String, Object>) cart.getDetails().get("keyed");
            assertThat(keyed).containsEntry("liveKeys", 2).containsEntry("activations", 2L).containsEntry("restarts", 0L);

            Map<String, Object> tree = context.getBean(RusmEndpoint.class).tree();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> children = (List<Map<String, Object>>) ((Map<String, Object>) tree.get("root")).get("children");
            assertThat(children).extracting(c -> c.get("name")).containsExactly("cart");
            assertThat(children.getFirst().get("keyed")).isEqualTo(keyed);

            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get(MetricNames.KEYED_ACTIVE).tag("service", "cart").gauge().value()).isEqualTo(2);
            assertThat(registry.get(MetricNames.KEYED_ACTIVATIONS).tag("service", "cart").functionCounter().count()).isEqualTo(2);
            assertThat(registry.get(MetricNames.CALLS).tags("service", "cart", "method", "add", "outcome", "ok").timer().count()).isEqualTo(3);
            for (Meter m : registry.getMeters()) {
                assertThat(m.getId().getTags()).extracting(Tag::getValue).as(m.getId().toString()).noneMatch(v -> v.contains("alice"));
            }
        });
    }

    @Test
    void anIdleKeyStopsAndComesBackWithItsStateFromKv() {
        app().withPropertyValues("rusm.components.cart.idle-timeout=200ms").run(context -> {
            Node node = context.getBean(Node.class);
            CartClient carts = context.getBean(CartClient.class);
            assertThat(carts.add("carol", "plum")).isEqualTo(4);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.keyedStats("cart").orElseThrow().liveKeys() == 0);
            assertThat(node.whereis("cart/carol")).isEmpty();
            assertThat(carts.add("carol", "pear")).isEqualTo(8);
            assertThat(node.keyedStats("cart").orElseThrow().activations()).isEqualTo(2);
        });
    }

    @Test
    void aPoisonedKeyNeverEscalatesItsFamilyOrTheRoot() {
        app().withPropertyValues("rusm.supervisor.intensity=1", "rusm.supervisor.period=1m").run(context -> {
            Node node = context.getBean(Node.class);
            CartClient carts = context.getBean(CartClient.class);
            carts.add("alice", "apple");
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> carts.boom("mallory")).isInstanceOf(ProcessCrashedException.class);
                assertThat(carts.total("alice")).isEqualTo(5);
            }
            Supervisor root = context.getBean(RusmLifecycle.class).root();
            assertThat(root.isAlive()).isTrue();
            assertThat(root.gaveUp()).isFalse();
            Health cart = ((HealthIndicator) context.getBean("rusmHealthContributor", CompositeHealthContributor.class)
                    .getContributor("cart")).health();
            assertThat(cart.getStatus()).isEqualTo(Status.UP);
            assertThat(cart.getDetails()).containsEntry("restarts", 0L);
            assertThat(node.keyedStats("cart").orElseThrow().gaveUp()).isPositive();
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.find(MetricNames.ESCALATIONS).counters()).allMatch(c -> c.count() == 0);
            assertThat(registry.get(MetricNames.CRASHES).tags("service", "cart", "reason", "crashed").counter().count()).isEqualTo(10);
        });
    }

    @Test
    void badValuesFailStartupNamingTheProperty() {
        app().withPropertyValues("rusm.components.cart.idle-timeout=0s").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new RusmFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).startsWith("Invalid rusm configuration at 'rusm.components.cart.idle-timeout'");
        });
        app().withPropertyValues("rusm.components.cart.placement=sharded").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new RusmEnumBindFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).startsWith("Invalid rusm configuration at 'rusm.components.cart.placement': 'sharded'")
                    .contains("node, singleton, keyed");
        });
        // A client naming keys for a service that is not keyed fails startup too.
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmKvAutoConfiguration.class))
                .withUserConfiguration(KeyedConfig.class).withPropertyValues("rusm.kv.path=" + dir.resolve("other"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("service 'cart' is not keyed");
                });
    }

    @Test
    void placementAndIdleTimeoutBind() {
        RusmProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "rusm.components.counter.placement", "singleton",
                "rusm.components.cart.placement", "keyed",
                "rusm.components.cart.idle-timeout", "30s")))
                .bind("rusm", RusmProperties.class).get();
        assertThat(properties.getComponents().get("counter").getPlacement()).isEqualTo(RusmProperties.Placement.SINGLETON);
        assertThat(properties.getComponents().get("counter").getIdleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(properties.getComponents().get("cart").getPlacement()).isEqualTo(RusmProperties.Placement.KEYED);
        assertThat(properties.getComponents().get("cart").getIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(new RusmProperties.Component().getPlacement()).isEqualTo(RusmProperties.Placement.NODE);
    }
}
