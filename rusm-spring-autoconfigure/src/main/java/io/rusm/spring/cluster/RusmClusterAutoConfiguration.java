package io.rusm.spring.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.rusm.Kv;
import io.rusm.Node;
import io.rusm.ServiceDefinition;
import io.rusm.cluster.ClusterListener;
import io.rusm.cluster.ClusterSettings;
import io.rusm.cluster.JdbcLeaseStore;
import io.rusm.cluster.LeaseStore;
import io.rusm.cluster.RusmCluster;
import io.rusm.spring.ResidentServices;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmConfigurationException;
import io.rusm.spring.RusmProperties;
import io.rusm.spring.wire.RusmWireAutoConfiguration;
import io.rusm.spring.wire.RusmWireProperties;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The cluster: this instance joins the others (Hazelcast, or the application's own
 * {@link HazelcastInstance}), its singletons run once per cluster, and calls reach them over the
 * wire. Every misconfiguration fails startup naming its property.
 */
@AutoConfiguration(after = {RusmAutoConfiguration.class, RusmWireAutoConfiguration.class},
        afterName = {"io.rusm.spring.kv.RusmKvAutoConfiguration", "org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration"})
@ConditionalOnClass(RusmCluster.class)
@ConditionalOnBooleanProperty(name = "rusm.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "rusm.cluster.enabled")
@EnableConfigurationProperties({RusmClusterProperties.class, RusmWireProperties.class})
public class RusmClusterAutoConfiguration {

    /** Joins at context refresh, before any service starts, so no singleton ever starts unplaced. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RusmCluster rusmCluster(Node node, RusmClusterProperties cluster, RusmWireProperties wire, RusmProperties rusm,
                                   ResidentServices services, Environment environment,
                                   ObjectProvider<HazelcastInstance> hazelcast, ObjectProvider<DataSource> dataSources,
                                   ObjectProvider<ClusterListener> listeners) {
        Set<String> singletons = services.singletons();
        check(cluster);
        LeaseStore leases = leaseStore(rusm, services, singletons, dataSources);
        Integer wirePort = RusmWireAutoConfiguration.port(wire, environment);
        String wireTarget = wire.getAddress() + ":" + (wirePort == null ? RusmWireAutoConfiguration.CLUSTER_DEFAULT_PORT : wirePort);
        ClusterSettings settings = new ClusterSettings(cluster.getName(), cluster.getAddress(), cluster.getPort(), cluster.getMembers(),
                cluster.getMinMembers(), cluster.getFailureTimeout(), wireTarget, singletons);
        RusmCluster started;
        try {
            started = RusmCluster.start(node, settings, hazelcast.getIfAvailable(), leases, listeners.getIfAvailable());
        } catch (RuntimeException e) {
            if (isPortInUse(e)) {
                throw new RusmConfigurationException("rusm.cluster.port", "cannot listen on " + cluster.getAddress() + ":" + cluster.getPort()
                        + ": the port is in use", "Choose a free port for rusm.cluster.port (or stop what uses it).");
            }
            throw e;
        }
        String self = cluster.memberAddress();
        if (!cluster.getMembers().isEmpty() && !cluster.getMembers().contains(self) && started.members().size() < 2) {
            started.close();
            throw new RusmConfigurationException("rusm.cluster.members", "none of the members " + cluster.getMembers()
                    + " answered, and this instance (" + self + ") is not one of them, so it cannot form or join a cluster",
                    "List reachable members in rusm.cluster.members (host:port of their rusm.cluster.port), or include this instance.");
        }
        return started;
    }

    /** The cluster leaf and the singletons' placement in {@code /actuator/health/rusm}. */
    @Bean
    @ConditionalOnMissingBean
    public io.rusm.spring.actuate.ClusterHealthSource rusmClusterHealth(RusmCluster cluster) {
        return new ClusterHealth(cluster);
    }

    @Bean
    @ConditionalOnMissingBean
    public RusmClusterLifecycle rusmClusterLifecycle(RusmCluster cluster, RusmProperties rusm, ResidentServices services) {
        Duration drain = Duration.ofSeconds(5);
        for (String s : services.clusterPlacedComponents()) { // they drain in parallel as the node leaves: the longest drain bounds it
            RusmProperties.Component c = rusm.getComponents().get(s);
            if (c != null && c.getShutdownTimeout().compareTo(drain) > 0) drain = c.getShutdownTimeout();
        }
        return new RusmClusterLifecycle(cluster, drain);
    }

    /** {@code rusm.cluster.members} and {@code rusm.cluster.handovers}, when Micrometer is present. */
    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean(ClusterListener.class)
        ClusterListener rusmClusterMetrics(ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registries) {
            return new ClusterMetrics(registries);
        }
    }

    private static void check(RusmClusterProperties c) {
        if (c.getPort() < 1 || c.getPort() > 65535) {
            throw new RusmConfigurationException("rusm.cluster.port", "must be 1..65535, was " + c.getPort(), "Set rusm.cluster.port to a free TCP port.");
        }
        if (c.getMinMembers() < 1) {
            throw new RusmConfigurationException("rusm.cluster.min-members", "must be at least 1, was " + c.getMinMembers(),
                    "Set rusm.cluster.min-members to the smallest side of a split that may run singletons (1 or more).");
        }
        if (!c.getMembers().isEmpty() && c.getMinMembers() > c.getMembers().size()) {
            throw new RusmConfigurationException("rusm.cluster.min-members", "is " + c.getMinMembers() + ", more than the "
                    + c.getMembers().size() + " members listed in rusm.cluster.members, so no singleton could ever run",
                    "Lower rusm.cluster.min-members to at most " + c.getMembers().size() + " (a majority: " + (c.getMembers().size() / 2 + 1)
                            + "), or list every member.");
        }
        Duration ft = c.getFailureTimeout();
        if (ft == null || ft.toMillis() < 1000) {
            throw new RusmConfigurationException("rusm.cluster.failure-timeout", "must be at least 1s, was " + ft,
                    "Set rusm.cluster.failure-timeout to how long a silent member may stay before it is removed, e.g. 10s.");
        }
        for (String m : c.getMembers()) {
            int colon = m.lastIndexOf(':');
            String host = colon < 0 ? m : m.substring(0, colon);
            try {
                if (colon >= 0) {
                    int port = Integer.parseInt(m.substring(colon + 1).trim());
                    if (port < 1 || port > 65535) throw new NumberFormatException();
                }
                InetAddress.getByName(host.trim());
            } catch (NumberFormatException e) {
                throw new RusmConfigurationException("rusm.cluster.members", "'" + m + "' has no valid port",
                        "Write each member as host:port, e.g. 10.0.0.5:5701.");
            } catch (UnknownHostException e) {
                throw new RusmConfigurationException("rusm.cluster.members", "'" + m + "' is not a reachable address: host '" + host + "' is unknown",
                        "Write each member as host:port of a member's rusm.cluster.port, e.g. 10.0.0.5:5701.");
            }
        }
    }

    /** The shared database when Kv is JDBC (it then fences every write); else Hazelcast's map. */
    private static @Nullable LeaseStore leaseStore(RusmProperties rusm, ResidentServices services, Set<String> singletons,
                                                  ObjectProvider<DataSource> dataSources) {
        if (rusm.getKv().getStore() == RusmProperties.KvStoreType.JDBC) {
            DataSource ds = dataSources.getIfUnique();
            if (ds != null) return new JdbcLeaseStore(ds);
        }
        for (String s : services.clusterPlacedComponents()) {
            ServiceDefinition def = services.definitions().get(s);
            if (def != null && usesKv(def.serviceClass())) {
                String what = singletons.contains(s) ? "singleton" : "keyed service";
                throw new RusmConfigurationException("rusm.kv.store", what + " '" + s + "' (" + def.serviceClass().getName()
                        + ") uses Kv, but the store is the embedded one, which each node keeps for itself: after a failover"
                        + " its state would be gone, and a stale owner could not be fenced",
                        "Set rusm.kv.store=jdbc with a DataSource all nodes share (PostgreSQL), or make '" + s + "' placement: node.");
            }
        }
        return null;
    }

    private static boolean usesKv(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) if (Kv.class.isAssignableFrom(f.getType())) return true;
        }
        for (Constructor<?> k : type.getDeclaredConstructors()) {
            for (Class<?> p : k.getParameterTypes()) if (Kv.class.isAssignableFrom(p)) return true;
        }
        return false;
    }

    private static boolean isPortInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof java.net.BindException || m.contains("already in use") || m.contains("Address already in use")) return true;
        }
        return false;
    }
}
