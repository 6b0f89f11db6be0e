package io.rusm.spring.actuate;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rusm.Node;
import io.rusm.ServiceDefinition;
import io.rusm.spring.ResidentServices;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.actuate.fixtures.ServicesConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code rusm.*} meters in a plain {@link SimpleMeterRegistry}, step by step through {@link Workload}. */
class RusmMetricsTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, RusmAutoConfiguration.class, RusmHealthAutoConfiguration.class, RusmMetricsAutoConfiguration.class,
                    RusmObservationAutoConfiguration.class, RusmEndpointAutoConfiguration.class))
            .withUserConfiguration(ServicesConfig.class)
            .withPropertyValues(ServicesConfig.PROPERTIES);

    @Test
    void everyMeterWithItsTags() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RusmMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry).isInstanceOf(SimpleMeterRegistry.class);
            Node node = context.getBean(Node.class);
            Workload work = new Workload(context);
            try {
                // Registered at startup: a mailbox gauge per service, the live-process gauge.
                assertThat(registry.find(MetricNames.MAILBOX_SIZE).gauges())
                        .extracting(g -> g.getId().getTag("service")).containsExactlyInAnyOrder("counter", "gate", "cache", "store");
                assertThat(gauge(registry, MetricNames.PROCESSES_LIVE)).isEqualTo(node.processCount()).isEqualTo(6);
                assertThat(registry.find(MetricNames.RESTARTS).counters()).isEmpty();

                work.okErrorCrash();
                assertThat(calls(registry, "counter", "bump", "ok")).isEqualTo(2);
                assertThat(calls(registry, "counter", "reject", "error")).isEqualTo(1);
                assertThat(calls(registry, "counter", "crash", "crashed")).isEqualTo(1);
                assertThat(count(registry, MetricNames.RESTARTS, "service", "counter", "supervisor", "rusm")).isEqualTo(1);
                assertThat(count(registry, MetricNames.CRASHES, "service", "counter", "reason", "crashed")).isEqualTo(1);
                assertThat(registry.get(MetricNames.CALLS).tags("service", "counter", "method", "bump", "outcome", "ok").timer()
                        .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();

                work.timeoutAndFull();
                assertThat(calls(registry, "gate", "hold", "timeout")).isEqualTo(1);
                assertThat(calls(registry, "gate", "pings", "full")).isEqualTo(1);
                assertThat(registry.get(MetricNames.MAILBOX_SIZE).tag("service", "gate").gauge().value()).isEqualTo(2);
                work.release();
                assertThat(calls(registry, "gate", "pings", "ok")).isPositive();
                assertThat(registry.get(MetricNames.MAILBOX_SIZE).tag("service", "gate").gauge().value()).isZero();

                work.noprocAndUndeclaredMethod();
                assertThat(calls(registry, "other", "other", "noproc")).as("unknown name collapses to other").isEqualTo(1);
                assertThat(calls(registry, "counter", "other", "error")).as("no declared handler: method other").isEqualTo(1);

                work.anonymous();
                assertThat(calls(registry, "other", "other", "ok")).as("anonymous process").isEqualTo(1);
                assertThat(calls(registry, "other", "other", "crashed")).isEqualTo(1);
                assertThat(count(registry, MetricNames.CRASHES, "service", "other", "reason", "crashed")).isEqualTo(1);

                work.escalateCaches();
                assertThat(calls(registry, "cache", "crash", "crashed")).isEqualTo(2);
                assertThat(calls(registry, "cache", "get", "noproc")).isEqualTo(1);
                assertThat(count(registry, MetricNames.RESTARTS, "service", "cache", "supervisor", "caches")).isEqualTo(1);
                assertThat(count(registry, MetricNames.CRASHES, "service", "cache", "reason", "crashed")).isEqualTo(2);
                assertThat(count(registry, MetricNames.ESCALATIONS, "supervisor", "caches")).isEqualTo(1);
                assertThat(count(registry, MetricNames.ESCALATIONS, "supervisor", "rusm")).as("there from the start, at 0").isZero();
                assertThat(registry.find(MetricNames.CRASHES).tag("service", "store").counters())
                        .as("a sibling stopped by the escalation did not crash").isEmpty();
                assertThat(registry.find(MetricNames.CRASHES).tag("reason", "escalated").counters())
                        .as("an escalating supervisor is counted as an escalation, not a crash").isEmpty();
                assertThat(registry.get(MetricNames.MAILBOX_SIZE).tag("service", "cache").gauge().value()).as("not running").isZero();

                work.kill();
                assertThat(count(registry, MetricNames.CRASHES, "service", "counter", "reason", "killed")).isEqualTo(1);
                assertThat(count(registry, MetricNames.RESTARTS, "service", "counter", "supervisor", "rusm")).isEqualTo(2);
                // Gauges read the node, not an instance a restart replaced: still live after restarts.
                await().atMost(Workload.WAIT).until(() -> gauge(registry, MetricNames.PROCESSES_LIVE) == node.processCount());
                assertThat(gauge(registry, MetricNames.PROCESSES_LIVE)).as("rusm, gate, counter").isEqualTo(3);

                assertBoundedTags(registry, context.getBean(ResidentServices.class).definitions());
            } finally {
                work.latches.release.countDown();
            }
        });
    }

    @Test
    void noMetersWithoutAMeterRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmHealthAutoConfiguration.class, RusmMetricsAutoConfiguration.class,
                    RusmObservationAutoConfiguration.class, RusmEndpointAutoConfiguration.class))
                .withUserConfiguration(ServicesConfig.class)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RusmMetrics.class));
    }

    /**
     * Tag cardinality is bounded: the same tag keys for every meter of a name, never a pid or an
     * incarnation, services known by name or "other", methods a declared handler or "other".
     */
    static void assertBoundedTags(MeterRegistry registry, Map<String, ServiceDefinition> services) {
        Map<String, Set<String>> keys = Map.of(
                MetricNames.RESTARTS, Set.of("service", "supervisor"),
                MetricNames.CRASHES, Set.of("service", "reason"),
                MetricNames.ESCALATIONS, Set.of("supervisor"),
                MetricNames.CALLS, Set.of("service", "method", "outcome", "location"),
                MetricNames.SENDS_DROPPED, Set.of("service", "reason"),
                MetricNames.MAILBOX_SIZE, Set.of("service"),
                MetricNames.TIMERS_ACTIVE, Set.of("service"),
                MetricNames.REMINDERS_FIRED, Set.of("service", "outcome"),
                MetricNames.PROCESS_MEMORY, Set.of("service"),
                MetricNames.PROCESSES_LIVE, Set.of());
        Set<String> names = new HashSet<>(services.keySet());
        names.addAll(Set.of("rusm", "caches", "other"));
        Set<String> methods = new HashSet<>(Set.of("other"));
        for (ServiceDefinition d : services.values()) {
            for (var m : d.serviceClass().getDeclaredMethods()) {
                if (java.lang.reflect.Modifier.isPublic(m.getModifiers())) methods.add(m.getName());
            }
        }
        Map<String, Set<String>> seen = new TreeMap<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            if (!id.getName().startsWith("rusm.")) continue;
            Set<String> tagKeys = id.getTags().stream().map(Tag::getKey).collect(Collectors.toSet());
            assertThat(keys).as("a rusm meter this test does not know: add its tag keys above").containsKey(id.getName());
            assertThat(tagKeys).as(id.toString()).isEqualTo(keys.get(id.getName()));
            for (Tag tag : id.getTags()) {
                seen.computeIfAbsent(tag.getKey(), k -> new java.util.TreeSet<>()).add(tag.getValue());
                assertThat(tag.getValue()).as(id.toString()).doesNotContain("<", ">", "local.");
            }
        }
        assertThat(seen).doesNotContainKeys("pid", "incarnation");
        assertThat(seen.get("service")).isSubsetOf(names).contains("other");
        assertThat(seen.get("supervisor")).isSubsetOf(names);
        assertThat(seen.get("method")).isSubsetOf(methods).contains("other");
        assertThat(seen.get("outcome")).containsExactlyInAnyOrder("ok", "error", "crashed", "timeout", "noproc", "full");
        assertThat(seen.get("reason")).contains("crashed", "killed").doesNotContain("escalated", "normal", "shutdown");
    }

    private static long calls(MeterRegistry registry, String service, String method, String outcome) {
        Timer timer = registry.find(MetricNames.CALLS).tags("service", service, "method", method, "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    private static double count(MeterRegistry registry, String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    private static double gauge(MeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }
}
