package io.rusm.spring.actuate;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationRegistry;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmLifecycle;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * One Micrometer {@code Observation} per client call (spans when the application has tracing),
 * named and tagged by a {@link RusmCallObservationConvention}: the application's bean if it has
 * one, else {@link DefaultRusmCallObservationConvention}.
 */
@AutoConfiguration(after = RusmAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({RusmLifecycle.class, ObservationRegistry.class})
public class RusmObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ObservedClients rusmObservedClients(ObservationRegistry registry,
                                        ObjectProvider<RusmCallObservationConvention> convention) {
        return new ObservedClients(registry, convention.getIfAvailable());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterFilter.class)
    @ConditionalOnMissingBean(name = "rusmCallObservationMeterFilter")
    static class Meters {
        /**
         * {@code rusm.calls} (recorded for every call, raw {@code Node.call} included) is the one call
         * metric; the timers Boot's observation handler would derive from the observation would
         * duplicate it. This filter denies only the meters of the observation's own name; define a
         * bean named {@code rusmCallObservationMeterFilter} to keep them.
         */
        @Bean
        MeterFilter rusmCallObservationMeterFilter(ObjectProvider<RusmCallObservationConvention> convention) {
            String name = ObservedClients.conventionOrDefault(convention.getIfAvailable()).getName();
            return MeterFilter.deny(id -> id.getName().equals(name) || id.getName().startsWith(name + "."));
        }

        /** What the filter would deny is then not built at all (see there). */
        @Bean
        RusmCallMetersSkipped rusmCallMetersSkipped() {
            return new RusmCallMetersSkipped();
        }
    }
}
