package io.rusm.spring.actuate;

import io.micrometer.core.instrument.MeterRegistry;
import io.rusm.Node;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmLifecycle;
import io.rusm.spring.actuate.fixtures.ServicesConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rusm.timers.active} and the timers listed per service in {@code /actuator/rusm}. */
class RusmTimersViewTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, RusmAutoConfiguration.class, RusmMetricsAutoConfiguration.class,
                    RusmEndpointAutoConfiguration.class))
            .withUserConfiguration(ServicesConfig.class)
            .withPropertyValues(ServicesConfig.PROPERTIES);

    @Test
    void activeTimersGaugePerService() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get(MetricNames.TIMERS_ACTIVE).tag("service", "store").gauge().value()).isOne();
            assertThat(registry.get(MetricNames.TIMERS_ACTIVE).tag("service", "counter").gauge().value()).isZero();
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointListsEachServicesTimers() {
        runner.run(context -> {
            Map<String, Object> root = (Map<String, Object>) new RusmEndpoint(context.getBean(RusmLifecycle.class),
                    context.getBean(Node.class)).tree().get("root");
            Map<String, Object> store = find(root, "store");
            Map<String, Object> counter = find(root, "counter");
            assertThat(store.get("timers")).isEqualTo(List.of("@Every(compact)"));
            assertThat(counter.get("timers")).isEqualTo(List.of());
        });
    }

    @Test
    void remindersFiredCounterByOutcome() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(RusmMetrics.class).reminderFired("store", "nightly", "ok");
            assertThat(registry.get(MetricNames.REMINDERS_FIRED).tags("service", "store", "outcome", "ok").counter().count()).isOne();
        });
    }

    @Test
    void remindersAreKeptInTheKvStoreWhichOpensOnlyWhenNeeded() {
        runner.withConfiguration(AutoConfigurations.of(io.rusm.spring.kv.RusmKvAutoConfiguration.class))
                .withPropertyValues("rusm.kv.path=" + System.getProperty("java.io.tmpdir") + "/rusm-reminder-store-unused")
                .run(context -> {
                    assertThat(context.getBean(Node.class).runtime().reminderStore()).isNotNull();
                    assertThat(context.getBeanFactory().containsSingleton("rusmKvStore")).as("still lazy").isFalse();
                });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> find(Map<String, Object> node, String name) {
        if (name.equals(node.get("name"))) return node;
        for (Object child : (List<Object>) node.getOrDefault("children", List.of())) {
            Map<String, Object> found = find((Map<String, Object>) child, name);
            if (found != null) return found;
        }
        return null;
    }
}
