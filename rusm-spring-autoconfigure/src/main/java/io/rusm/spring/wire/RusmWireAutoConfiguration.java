package io.rusm.spring.wire;

import io.rusm.Node;
import io.rusm.ServiceClient;
import io.rusm.spring.ExternalComponentBehaviors;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmConfigurationException;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.WireServer;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Conditional;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The rusm wire: the {@code rusm.v1} gRPC server for this node's services and the
 * {@code runtime: external} components hosts attach to it.
 */
@AutoConfiguration(after = RusmAutoConfiguration.class)
@ConditionalOnClass(WireServer.class)
@ConditionalOnBooleanProperty(name = "rusm.enabled", matchIfMissing = true)
@Conditional(RusmWireAutoConfiguration.WireWanted.class)
@EnableConfigurationProperties(RusmWireProperties.class)
public class RusmWireAutoConfiguration {

    /** The node's external services (hosts attach them over the wire). */
    @Bean
    @ConditionalOnMissingBean
    public ExternalServices rusmExternalServices(Node node) {
        return new ExternalServices(node);
    }

    /** Declares each external component; its {@code @ServiceClient} interfaces tell how to read replies. */
    @Bean
    @ConditionalOnMissingBean
    public ExternalComponentBehaviors rusmExternalComponentBehaviors(ExternalServices external, ConfigurableListableBeanFactory beanFactory) {
        return (component, settings) -> external.declare(component,
                settings.getMaxMemoryMb() == null ? 0 : settings.getMaxMemoryMb(), clientInterfaces(beanFactory, component));
    }

    @Bean
    @ConditionalOnMissingBean
    public RusmWireLifecycle rusmWireLifecycle(Node node, ExternalServices external, RusmWireProperties properties,
                                               ObjectProvider<SslBundles> sslBundles, org.springframework.core.env.Environment environment) {
        return new RusmWireLifecycle(() -> start(node, external, properties, sslBundles, environment));
    }

    /** The default wire port of a cluster node that sets none. */
    public static final int CLUSTER_DEFAULT_PORT = 7701;

    /** On when {@code rusm.wire.port} is set, and by default with the cluster. */
    static final class WireWanted extends AnyNestedCondition {
        WireWanted() {
            super(ConfigurationPhase.PARSE_CONFIGURATION);
        }

        @ConditionalOnProperty(prefix = "rusm.wire", name = "port")
        static final class PortSet {
        }

        @ConditionalOnBooleanProperty(name = "rusm.cluster.enabled")
        static final class Clustered {
        }
    }

    /** The port the wire listens on: {@code rusm.wire.port}, else 7701 on a cluster node. */
    public static @org.jspecify.annotations.Nullable Integer port(RusmWireProperties p, org.springframework.core.env.Environment environment) {
        if (p.getPort() != null) return p.getPort();
        return environment.getProperty("rusm.cluster.enabled", Boolean.class, false) ? CLUSTER_DEFAULT_PORT : null;
    }

    private static WireServer start(Node node, ExternalServices external, RusmWireProperties p, ObjectProvider<SslBundles> sslBundles,
                                    org.springframework.core.env.Environment environment) {
        Integer port = port(p, environment);
        if (port == null || port < 0 || port > 65535) {
            throw new RusmConfigurationException("rusm.wire.port", "must be 0..65535, was " + p.getPort(), "Set rusm.wire.port to a free TCP port.");
        }
        long max = p.getMaxMessageSize().toBytes();
        if (max <= 0 || max > Integer.MAX_VALUE) {
            throw new RusmConfigurationException("rusm.wire.max-message-size", "must be between 1 byte and 2 GB, was " + p.getMaxMessageSize(),
                    "Set rusm.wire.max-message-size to a size such as 4MB.");
        }
        WireServer.Builder b = WireServer.builder(node).address(p.getAddress()).port(port).maxMessageSize((int) max)
                .maxConcurrentCallsPerConnection(p.getMaxConcurrentCallsPerConnection()).externalServices(external);
        String bundleName = p.getSslBundle();
        if (bundleName != null && !bundleName.isBlank()) {
            SslBundles bundles = sslBundles.getIfAvailable();
            SslBundle bundle;
            try {
                if (bundles == null) throw new NoSuchSslBundleException(bundleName, "no SSL bundles are configured");
                bundle = bundles.getBundle(bundleName);
            } catch (NoSuchSslBundleException e) {
                throw new RusmConfigurationException("rusm.wire.ssl-bundle", "there is no SSL bundle named '" + bundleName + "'",
                        "Declare it under spring.ssl.bundle.jks." + bundleName + " or spring.ssl.bundle.pem." + bundleName + ".");
            }
            boolean mutual = bundle.getStores().getTrustStore() != null;
            b.tls(bundle.getManagers().getKeyManagerFactory(), mutual ? bundle.getManagers().getTrustManagerFactory() : null);
        }
        try {
            return b.start();
        } catch (UncheckedIOException e) {
            throw new RusmConfigurationException("rusm.wire.port", "cannot listen on " + p.getAddress() + ":" + port
                    + ": " + e.getCause().getMessage(), "Choose a free port for rusm.wire.port (or stop what uses it).");
        }
    }

    /** The {@code @ServiceClient} interfaces registered for {@code component}. */
    static List<Class<?>> clientInterfaces(ConfigurableListableBeanFactory beanFactory, String component) {
        List<Class<?>> out = new ArrayList<>();
        for (String name : beanFactory.getBeanDefinitionNames()) {
            Object type = beanFactory.getBeanDefinition(name).getAttribute(FactoryBean.OBJECT_TYPE_ATTRIBUTE);
            if (type instanceof Class<?> c && c.isInterface()) {
                ServiceClient sc = c.getAnnotation(ServiceClient.class);
                if (sc != null && sc.value().equals(component)) out.add(c);
            }
        }
        return out;
    }
}
