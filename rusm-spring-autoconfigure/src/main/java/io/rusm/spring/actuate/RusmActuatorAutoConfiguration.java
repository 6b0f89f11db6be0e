package io.rusm.spring.actuate;

import io.micrometer.core.instrument.MeterRegistry;
import io.rusm.ChildSpec;
import io.rusm.Node;
import io.rusm.SupervisorSpec;
import io.rusm.spring.ResidentServices;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmLifecycle;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * rusm's observability, each part only where the application has its library: the {@code rusm}
 * health contributor, the {@code rusm.*} meters and the {@code /actuator/rusm} endpoint.
 */
@AutoConfiguration(after = RusmAutoConfiguration.class,
        afterName = {"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnBean(RusmLifecycle.class)
public class RusmActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(CompositeHealthContributor.class)
    @ConditionalOnEnabledHealthIndicator("rusm")
    static class Health {
        /** Exposed as {@code rusm} in /actuator/health (the bean name minus "HealthContributor"). */
        @Bean
        @ConditionalOnMissingBean(name = "rusmHealthContributor")
        CompositeHealthContributor rusmHealthContributor(ResidentServices services, RusmLifecycle lifecycle, Node node) {
            return RusmHealthContributor.of(services.supervisionTree(), lifecycle, node);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        RusmMetrics rusmMetrics(Node node, ResidentServices services) {
            return new RusmMetrics(node, services.definitions(), supervisorNames(services.supervisionTree()),
                    memoryCaps(services.supervisionTree()));
        }

        private static java.util.Map<String, Long> memoryCaps(SupervisorSpec spec) {
            java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
            for (ChildSpec c : spec.children()) {
                if (c instanceof SupervisorSpec s) out.putAll(memoryCaps(s));
                else if (c instanceof io.rusm.WorkerSpec w && w.maxMemoryBytes() > 0) out.put(w.name(), w.maxMemoryBytes());
            }
            return out;
        }

        /**
         * The {@value ObservedClients#NAME} observation is for traces; Boot's meter handler would also
         * turn it into {@code rusm.call} timers that duplicate {@code rusm.calls} (and carry no help
         * text). {@code rusm.calls} is the one call metric, so those are denied.
         */
        @Bean
        io.micrometer.core.instrument.config.MeterFilter rusmCallObservationMeters() {
            return io.micrometer.core.instrument.config.MeterFilter.deny(id ->
                    id.getName().equals(ObservedClients.NAME) || id.getName().startsWith(ObservedClients.NAME + "."));
        }

        private static Set<String> supervisorNames(SupervisorSpec spec) {
            Set<String> out = new LinkedHashSet<>();
            out.add(spec.name());
            for (ChildSpec c : spec.children()) if (c instanceof SupervisorSpec s) out.addAll(supervisorNames(s));
            return out;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
    static class Observations {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(type = "io.micrometer.observation.ObservationRegistry")
        ObservedClients rusmObservedClients(io.micrometer.observation.ObservationRegistry registry) {
            return new ObservedClients(registry);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    @ConditionalOnAvailableEndpoint(RusmEndpoint.class)
    static class Endpoint {
        @Bean
        @ConditionalOnMissingBean
        RusmEndpoint rusmEndpoint(RusmLifecycle lifecycle, Node node) {
            return new RusmEndpoint(lifecycle, node);
        }
    }
}
