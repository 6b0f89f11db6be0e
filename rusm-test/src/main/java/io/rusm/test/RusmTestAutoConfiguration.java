package io.rusm.test;

import io.rusm.Node;
import io.rusm.spring.RusmAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * In tests only (it ships in {@code rusm-test}): a {@link RusmEvents} bean recording the node's
 * restarts, escalations and exits from the moment the context starts.
 */
@AutoConfiguration(after = RusmAutoConfiguration.class)
@ConditionalOnBean(Node.class)
public class RusmTestAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RusmEvents rusmEvents(Node node) {
        return RusmEvents.on(node);
    }
}
