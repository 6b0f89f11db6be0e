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
        if (!SupervisionTreeFactory.isPositive(callTimeout)) throw SupervisionTreeFactory.positive("rusm.call-timeout", callTimeout);
        java.time.Duration hibernateAfter = properties.getHibernateAfter();
        if (hibernateAfter == null || hibernateAfter.isNegative()) {
            throw SupervisionTreeFactory.notNegative("rusm.hibernate-after", hibernateAfter,
                    "Set rusm.hibernate-after to a duration such as 1s (0: whenever a mailbox runs empty; 365d: in effect never).");
        }
        Node.Builder node = Node.builder().defaultCallTimeout(properties.getCallTimeout()).hibernateAfter(hibernateAfter);
        if (clustered(environment)) node.name(clusterNodeName(environment));
        return node.build();
    }

    /** The {@code @ResidentService} classes found, each checked and declared to the node. */
    @Bean
    @ConditionalOnMissingBean
    public ResidentServices rusmResidentServices(ConfigurableListableBeanFactory beanFactory, Node node,
                                                 RusmProperties properties, ObjectProvider<ExternalComponentBehaviors> external,
                                                 Environment environment) {
        return ResidentServices.discover(beanFactory, node, properties, external.getIfAvailable(), clustered(environment));
    }

    /** Whether this node is one of a cluster: {@code rusm.cluster.enabled} with {@code io.rusm:rusm-cluster} present. */
    public static boolean clustered(Environment environment) {
        return environment.getProperty("rusm.cluster.enabled", Boolean.class, false)
                && org.springframework.util.ClassUtils.isPresent("io.rusm.cluster.RusmCluster", RusmAutoConfiguration.class.getClassLoader());
    }

    /**
     * A cluster node's name, the {@code node()} of its pids: {@code rusm.cluster.node-name}, else its
     * membership address and port, which are unique in the cluster.
     */
    public static String clusterNodeName(Environment environment) {
        // bound here as the cluster auto-configuration will bind it: one place for the defaults
        return org.springframework.boot.context.properties.bind.Binder.get(environment)
                .bindOrCreate("rusm.cluster", io.rusm.spring.cluster.RusmClusterProperties.class).effectiveNodeName();
    }

    @Bean
    @ConditionalOnMissingBean
    public RusmLifecycle rusmLifecycle(Node node, ResidentServices services, RusmProperties properties,
                                       ConfigurableApplicationContext context) {
        return new RusmLifecycle(node, services.supervisionTree(), properties.getSupervisor().getOnRootEscalation(), context);
    }
}
