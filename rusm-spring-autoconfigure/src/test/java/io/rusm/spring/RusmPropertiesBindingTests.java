package io.rusm.spring;

import io.rusm.ChildSpec;
import io.rusm.Node;
import io.rusm.RestartType;
import io.rusm.Strategy;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import io.rusm.spring.fixtures.tree.CounterClient;
import io.rusm.spring.fixtures.tree.LazyClient;
import io.rusm.spring.fixtures.tree.TreeConfig;
import io.rusm.spring.fixtures.tree.ZetaClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole configuration tree of the SPEC, loaded from YAML as an application would, binds and
 * becomes the supervision tree it describes.
 */
class RusmPropertiesBindingTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
            .withUserConfiguration(TreeConfig.class)
            .withInitializer(context -> {
                for (PropertySource<?> source : yaml("rusm-spec-tree.yml")) {
                    context.getEnvironment().getPropertySources().addFirst(source);
                }
            });

    @Test
    void theWholeYamlTreeBinds() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            RusmProperties p = context.getBean(RusmProperties.class);
            assertThat(p.isEnabled()).isTrue();
            assertThat(p.getCallTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(p.getSupervisor().getStrategy()).isEqualTo(Strategy.REST_FOR_ONE);
            assertThat(p.getSupervisor().getIntensity()).isEqualTo(7);
            assertThat(p.getSupervisor().getPeriod()).isEqualTo(Duration.ofSeconds(9));
            assertThat(p.getSupervisor().getOnRootEscalation()).isEqualTo(RusmProperties.OnRootEscalation.MARK_BROKEN);

            assertThat(p.getSupervisors()).containsOnlyKeys("caches", "inner");
            assertThat(p.getSupervisors().keySet()).containsExactly("caches", "inner");
            RusmProperties.Nested inner = p.getSupervisors().get("inner");
            assertThat(inner.getSupervisor()).isEqualTo("caches");
            assertThat(inner.getPeriod()).isEqualTo(Duration.ofMillis(1500));
            assertThat(inner.getRestart()).isEqualTo(RestartType.TRANSIENT);

            assertThat(p.getComponents().keySet()).as("declaration order survives binding")
                    .containsExactly("zeta", "counter", "cache", "alpha", "lazy");
            RusmProperties.Component counter = p.getComponents().get("counter");
            assertThat(counter.isResident()).isTrue();
            assertThat(counter.getSupervisor()).isEqualTo("caches");
            assertThat(counter.getRestart()).isEqualTo(RestartType.PERMANENT);
            assertThat(counter.getMaxMemoryMb()).isEqualTo(64);
            assertThat(counter.getMailboxCapacity()).isEqualTo(10_000);
            assertThat(counter.getCallTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(counter.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.getComponents().get("lazy").isResident()).isFalse();
        });
    }

    @Test
    void theSupervisionTreeHasTheConfiguredShapeAndOrder() {
        runner.run(context -> {
            SupervisorSpec root = context.getBean(ResidentServices.class).supervisionTree();

            // Root: nested supervisors first, then its components in declaration order, then the
            // services without an entry by name.
            assertThat(root.name()).isEqualTo("rusm");
            assertThat(root.strategy()).isEqualTo(Strategy.REST_FOR_ONE);
            assertThat(root.intensity()).isEqualTo(7);
            assertThat(root.period()).isEqualTo(Duration.ofSeconds(9));
            assertThat(names(root)).containsExactly("caches", "zeta", "alpha", "lazy", "beta", "mid");

            SupervisorSpec caches = (SupervisorSpec) root.children().get(0);
            assertThat(caches.strategy()).isEqualTo(Strategy.ONE_FOR_ALL);
            assertThat(caches.intensity()).isEqualTo(5);
            assertThat(caches.period()).isEqualTo(Duration.ofSeconds(10));
            assertThat(caches.restart()).isEqualTo(RestartType.PERMANENT);
            assertThat(names(caches)).containsExactly("inner", "counter");

            SupervisorSpec inner = (SupervisorSpec) caches.children().get(0);
            assertThat(inner.strategy()).isEqualTo(Strategy.ONE_FOR_ONE);
            assertThat(inner.intensity()).isEqualTo(2);
            assertThat(inner.period()).isEqualTo(Duration.ofMillis(1500));
            assertThat(inner.restart()).isEqualTo(RestartType.TRANSIENT);
            assertThat(names(inner)).containsExactly("cache");

            WorkerSpec counter = worker(caches, "counter");
            assertThat(counter.restart()).isEqualTo(RestartType.PERMANENT);
            assertThat(counter.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(counter.mailboxCapacity()).isEqualTo(10_000);

            WorkerSpec cache = worker(inner, "cache");
            assertThat(cache.restart()).isEqualTo(RestartType.TEMPORARY);
            assertThat(cache.shutdownTimeout()).isEqualTo(Duration.ofMillis(250));
            assertThat(cache.mailboxCapacity()).isEqualTo(7);

            WorkerSpec zeta = worker(root, "zeta");
            assertThat(zeta.restart()).isEqualTo(RestartType.TRANSIENT);
            assertThat(zeta.shutdownTimeout()).isEqualTo(Duration.ofSeconds(1));

            assertThat(zeta.resident()).isTrue();
            WorkerSpec lazy = worker(root, "lazy");
            assertThat(lazy.resident()).as("resident: false").isFalse();

            WorkerSpec alpha = worker(root, "alpha");
            assertThat(alpha.restart()).isEqualTo(RestartType.TEMPORARY);
            assertThat(alpha.mailboxCapacity()).isEqualTo(3);

            // Unconfigured services get the defaults.
            WorkerSpec beta = worker(root, "beta");
            assertThat(beta.restart()).isEqualTo(RestartType.PERMANENT);
            assertThat(beta.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(beta.mailboxCapacity()).isEqualTo(10_000);
        });
    }

    @Test
    void theTreeRunsAsConfigured() {
        runner.run(context -> {
            Node node = context.getBean(Node.class);
            RusmLifecycle lifecycle = context.getBean(RusmLifecycle.class);
            for (String running : List.of("rusm", "caches", "inner", "cache", "counter", "zeta", "alpha", "beta", "mid")) {
                assertThat(node.whereis(running)).as(running).isPresent();
            }
            assertThat(node.whereis("lazy")).as("not resident: not started with the tree").isEmpty();
            assertThat(lifecycle.root().snapshot().children()).extracting(c -> c.name())
                    .containsExactly("caches", "zeta", "alpha", "lazy", "beta", "mid");
            // ...but on its first call, under its supervisor.
            assertThat(context.getBean(LazyClient.class).ping()).isEqualTo("lazy");
            assertThat(node.whereis("lazy")).isPresent();
            assertThat(context.getBean(CounterClient.class).ping()).isEqualTo("counter");
            assertThat(context.getBean(ZetaClient.class).ping()).isEqualTo("zeta");
        });
    }

    @Test
    void callTimeoutsPerComponentFallBackToTheGlobalOne() {
        runner.run(context -> {
            ResidentServices services = context.getBean(ResidentServices.class);
            assertThat(services.callTimeout("counter")).isEqualTo(Duration.ofSeconds(2));
            assertThat(services.callTimeout("lazy")).isEqualTo(Duration.ofMillis(750));
            assertThat(services.callTimeout("zeta")).isEqualTo(Duration.ofSeconds(3));
            assertThat(services.callTimeout("beta")).isEqualTo(Duration.ofSeconds(3));
            assertThat(context.getBean(Node.class).defaultCallTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(Proxy.isProxyClass(context.getBean(LazyClient.class).getClass())).isTrue();
        });
    }

    private static List<String> names(SupervisorSpec spec) {
        return spec.children().stream().map(ChildSpec::name).toList();
    }

    private static WorkerSpec worker(SupervisorSpec parent, String name) {
        return parent.children().stream().filter(c -> c.name().equals(name)).map(WorkerSpec.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError(name + " not under " + parent.name()));
    }

    private static List<PropertySource<?>> yaml(String resource) {
        try {
            return new YamlPropertySourceLoader().load(resource, new ClassPathResource(resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
