package io.rusm.spring.actuate;

import io.rusm.Node;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmLifecycle;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code /actuator/rusm} endpoint, when the application has Actuator and exposes it. */
@AutoConfiguration(after = RusmAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(RusmLifecycle.class)
@ConditionalOnAvailableEndpoint(RusmEndpoint.class)
public class RusmEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RusmEndpoint rusmEndpoint(RusmLifecycle lifecycle, Node node, org.springframework.beans.factory.ObjectProvider<ClusterHealthSource> cluster) {
        return new RusmEndpoint(lifecycle, node, cluster.getIfAvailable());
    }
}
