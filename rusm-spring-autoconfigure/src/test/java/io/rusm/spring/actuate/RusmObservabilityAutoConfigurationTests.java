package io.rusm.spring.actuate;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmLifecycle;
import io.rusm.spring.actuate.fixtures.CounterClient;
import io.rusm.spring.actuate.fixtures.ServicesConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health, metrics, observations and the endpoint are separate auto-configurations, each of which
 * an application can exclude; what the core lifecycle promises at startup.
 */
class RusmObservabilityAutoConfigurationTests {
    private static final Class<?>[] ALL = {MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, RusmAutoConfiguration.class, RusmHealthAutoConfiguration.class,
            RusmMetricsAutoConfiguration.class, RusmObservationAutoConfiguration.class, RusmEndpointAutoConfiguration.class};

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ALL))
            .withUserConfiguration(ServicesConfig.class)

            .withBean(TestObservationRegistry.class, TestObservationRegistry::create)
            .withPropertyValues(ServicesConfig.PROPERTIES)
            .withPropertyValues("management.endpoints.web.exposure.include=rusm");

    @Test
    void everyPartIsOnByDefault() {
        runner.run(context -> assertThat(context).hasNotFailed()
                .hasBean("rusmHealthContributor").hasSingleBean(RusmMetrics.class)
                .hasSingleBean(ObservedClients.class).hasSingleBean(RusmEndpoint.class));
    }

    @Test
    void eachPartCanBeExcludedAlone() {
        excluding(RusmHealthAutoConfiguration.class).run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(CompositeHealthContributor.class).hasSingleBean(RusmMetrics.class).hasSingleBean(RusmEndpoint.class));
        excluding(RusmMetricsAutoConfiguration.class).run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(RusmMetrics.class).hasBean("rusmHealthContributor").hasSingleBean(ObservedClients.class));
        excluding(RusmObservationAutoConfiguration.class).run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(ObservedClients.class).hasSingleBean(RusmMetrics.class));
        excluding(RusmEndpointAutoConfiguration.class).run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(RusmEndpoint.class).hasSingleBean(RusmMetrics.class).hasBean("rusmHealthContributor"));
    }

    @Test
    void theHealthIndicatorPropertyTurnsHealthOff() {
        runner.withPropertyValues("management.health.rusm.enabled=false").run(context -> assertThat(context)
                .hasNotFailed().doesNotHaveBean("rusmHealthContributor").hasSingleBean(RusmMetrics.class));
    }

    @Test
    void countersExistAtZeroBeforeTheFirstEvent() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            for (String supervisor : new String[]{"rusm", "caches"}) {
                assertThat(registry.get(MetricNames.ESCALATIONS).tag("supervisor", supervisor).counter().count()).isZero();
            }
            for (String service : new String[]{"counter", "gate", "cache", "store"}) {
                for (String reason : new String[]{"noproc", "exited"}) {
                    assertThat(registry.get(MetricNames.SENDS_DROPPED).tag("service", service).tag("reason", reason)
                            .counter().count()).as(service + " " + reason).isZero();
                }
            }
        });
    }

    @Test
    void anApplicationConventionNamesAndTagsTheCallObservation() {
        runner.withBean(RusmCallObservationConvention.class, TenantConvention::new).run(context -> {
            context.getBean(CounterClient.class).total();
            assertThat(context.getBean(TestObservationRegistry.class)).hasSingleObservationThat()
                    .hasNameEqualTo("myapp.rusm").hasContextualNameEqualTo("counter.total")
                    .hasLowCardinalityKeyValue("service", "counter").hasLowCardinalityKeyValue("outcome", "ok")
                    .hasLowCardinalityKeyValue("tenant", "acme");
        });
    }

    @Test
    void theLifecycleIsNotPauseable() {
        // A pause would stop the tree and a resume start a fresh one, losing every service's state.
        runner.run(context -> assertThat(context.getBean(RusmLifecycle.class).isPauseable()).isFalse());
    }

    private ApplicationContextRunner excluding(Class<?> excluded) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(java.util.Arrays.stream(ALL).filter(c -> c != excluded).toArray(Class<?>[]::new)))
                .withUserConfiguration(ServicesConfig.class)
    
                .withBean(TestObservationRegistry.class, TestObservationRegistry::create)
                .withPropertyValues(ServicesConfig.PROPERTIES)
            .withPropertyValues("management.endpoints.web.exposure.include=rusm");
    }

    /** A user's convention: rusm's default plus a tag of its own, under its own name. */
    static class TenantConvention extends DefaultRusmCallObservationConvention {
        @Override
        public String getName() {
            return "myapp.rusm";
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(RusmCallObservationContext context) {
            return super.getLowCardinalityKeyValues(context).and("tenant", "acme");
        }
    }
}
