package io.rusm.spring.actuate;

import io.rusm.Node;
import io.rusm.spring.ResidentServices;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmLifecycle;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * The {@code rusm} health contributor (the supervision tree in {@code /actuator/health}), when the
 * application has {@code spring-boot-health}; off with {@code management.health.rusm.enabled=false}
 * or by excluding this auto-configuration.
 */
@AutoConfiguration(after = RusmAutoConfiguration.class)
@ConditionalOnClass(CompositeHealthContributor.class)
@ConditionalOnBean(RusmLifecycle.class)
@ConditionalOnEnabledHealthIndicator("rusm")
public class RusmHealthAutoConfiguration {

    /** Exposed as {@code rusm} in /actuator/health (the bean name minus "HealthContributor"). */
    @Bean
    @ConditionalOnMissingBean(name = "rusmHealthContributor")
    CompositeHealthContributor rusmHealthContributor(ResidentServices services, RusmLifecycle lifecycle, Node node,
                                                     org.springframework.beans.factory.ObjectProvider<ClusterHealthSource> cluster) {
        return RusmHealthContributor.of(services.supervisionTree(), lifecycle, node, cluster.getIfAvailable());
    }
}
