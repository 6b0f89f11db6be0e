package io.rusm.spring;

import io.rusm.Node;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * rusm's core auto-configuration: the {@link Node}, the discovered services and clients, and the
 * lifecycle that runs the supervision tree described by {@code rusm.*}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "rusm.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RusmProperties.class)
@Import(ResidentComponentsRegistrar.class)
public class RusmAutoConfiguration {

    /** The runtime; inject it for whereis, monitor, link, exit and kill. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Node rusmNode(RusmProperties properties, Environment environment) {
        UnknownKeys.check(environment);
        // Checked here, not only with the tree: the node is built first and would fail without naming the property.
        java.time.Duration callTimeout = properties.getCallTimeout();
        if (callTimeout == null || callTimeout.isNegative() || callTimeout.isZero()) {
            throw new RusmConfigurationException("rusm.call-timeout", "must be positive, was " + SupervisionTreeFactory.configured(callTimeout),
                    "Set rusm.call-timeout to a value greater than zero.");
        }
        return Node.builder().defaultCallTimeout(properties.getCallTimeout()).build();
    }

    /** The {@code @ResidentService} classes found, each checked and declared to the node. */
    @Bean
    @ConditionalOnMissingBean
    public ResidentServices rusmResidentServices(ConfigurableListableBeanFactory beanFactory, Node node,
                                                 RusmProperties properties, ObjectProvider<ExternalComponentBehaviors> external) {
        return ResidentServices.discover(beanFactory, node, properties, external.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    public RusmLifecycle rusmLifecycle(Node node, ResidentServices services, RusmProperties properties,
                                       ConfigurableApplicationContext context) {
        return new RusmLifecycle(node, services.supervisionTree(), properties.getSupervisor().getOnRootEscalation(), context);
    }
}
