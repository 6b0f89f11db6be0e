package io.rusm.spring;

import io.rusm.Node;
import io.rusm.ServiceDefinition;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code @ResidentService} classes of the application, by component name, and the supervision
 * tree built from them and {@code rusm.*}. Everything is checked here, at startup.
 */
public final class ResidentServices {
    private final Map<String, ServiceDefinition> definitions;
    private final Map<String, String> beanNames;
    private final RusmProperties properties;
    private final SupervisorSpec tree;

    private final @Nullable ExternalComponentBehaviors external;
    private final Node node;
    /** Whether this node is one of a cluster (rusm.cluster.enabled with rusm-cluster present). */
    private final boolean clustered;

    private ResidentServices(ConfigurableListableBeanFactory beanFactory, Node node, Map<String, ServiceDefinition> definitions,
                             Map<String, String> beanNames, RusmProperties properties, @Nullable ExternalComponentBehaviors external,
                             boolean clustered) {
        this.external = external;
        this.node = node;
        this.clustered = clustered;
        this.definitions = definitions;
        this.beanNames = beanNames;
        this.properties = properties;
        Map<String, Class<?>> classes = new LinkedHashMap<>();
        definitions.forEach((name, def) -> classes.put(name, def.serviceClass()));
        this.tree = new SupervisionTreeFactory(properties, classes, name -> worker(beanFactory, name)).build();
    }

    /** Finds the service beans the registrar declared and checks names are unique. */
    static ResidentServices discover(ConfigurableListableBeanFactory beanFactory, Node node, RusmProperties properties,
                                     @Nullable ExternalComponentBehaviors external, boolean clustered) {
        Map<String, ServiceDefinition> definitions = new LinkedHashMap<>();
        Map<String, String> beanNames = new LinkedHashMap<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            if (!beanName.startsWith(ResidentComponentsRegistrar.SERVICE_BEAN_PREFIX)) continue;
            BeanDefinition bd = beanFactory.getBeanDefinition(beanName);
            Class<?> type = beanFactory.getType(beanName);
            if (type == null) continue;
            ServiceDefinition def = ServiceDefinition.of(type);
            ServiceDefinition clash = definitions.putIfAbsent(def.name(), def);
            if (clash != null) {
                throw new RusmConfigurationException("@ResidentService(\"" + def.name() + "\")",
                        "two services are named '" + def.name() + "': " + clash.serviceClass().getName() + " and "
                                + type.getName() + " (from " + bd.getResourceDescription() + ")",
                        "Give one of them another name with @ResidentService(\"...\"): names address processes and must be unique.");
            }
            beanNames.put(def.name(), beanName);
            node.declareService(def);
        }
        return new ResidentServices(beanFactory, node, definitions, beanNames, properties, external, clustered);
    }

    private WorkerSpec worker(ConfigurableListableBeanFactory beanFactory, String name) {
        ServiceDefinition def = definitions.get(name);
        String beanName = beanNames.get(name);
        RusmProperties.Component c = properties.getComponents().getOrDefault(name, new RusmProperties.Component());
        if (c.getRuntime() == RusmProperties.ComponentRuntime.EXTERNAL) return externalWorker(name, c);
        if (c.getPlacement() == RusmProperties.Placement.KEYED) return keyedFamily(beanFactory, def, beanName, c);
        // getBean of a prototype runs on the new incarnation's fiber: constructor injection and
        // @PostConstruct happen there, before its first message.
        return WorkerSpec.of(name, () -> def.newBehaviorForInitializedInstances(() -> beanFactory.getBean(beanName)))
                .withRestart(c.getRestart())
                .withShutdownTimeout(c.getShutdownTimeout())
                .withMailboxCapacity(c.getMailboxCapacity())
                .withResident(c.isResident() && !clusterPlaced(c))
                .withMaxMemoryBytes(c.getMaxMemoryMb() == null ? 0 : c.getMaxMemoryMb() * 1024L * 1024L)
                .withHibernateAfter(c.getHibernateAfter());
    }

    /**
     * A keyed component: its family is the supervisor's child, and each key gets its own prototype
     * instance (created on the key's fiber, where {@code ProcessContext.key()} answers). Each key's
     * restarts are counted against the intensity and period of the component's supervisor, per key.
     */
    private WorkerSpec keyedFamily(ConfigurableListableBeanFactory beanFactory, ServiceDefinition def, String beanName,
                                   RusmProperties.Component c) {
        RusmProperties.SupervisorSettings parent = c.getSupervisor() == null || c.getSupervisor().isBlank()
                ? properties.getSupervisor() : properties.getSupervisors().get(c.getSupervisor());
        if (parent == null) parent = properties.getSupervisor();
        return node.keyedService(io.rusm.KeyedSpec.ofInitializedInstances(def, () -> beanFactory.getBean(beanName))
                .withIdleTimeout(c.getIdleTimeout())
                .withRestart(c.getRestart())
                .withIntensity(parent.getIntensity(), parent.getPeriod())
                .withShutdownTimeout(c.getShutdownTimeout())
                .withMailboxCapacity(c.getMailboxCapacity())
                .withMaxMemoryBytes(c.getMaxMemoryMb() == null ? 0 : c.getMaxMemoryMb() * 1024L * 1024L)
                .withHibernateAfter(c.getHibernateAfter()));
    }

    /** The components the cluster places (singletons and keyed ones); empty unless this node is one of a cluster. */
    public java.util.Set<String> clusterPlacedComponents() {
        return clustered ? componentsWhere(c -> c.getPlacement() == RusmProperties.Placement.SINGLETON
                || c.getPlacement() == RusmProperties.Placement.KEYED) : new java.util.TreeSet<>();
    }

    /** The names of the configured components that {@code which} accepts, sorted. */
    private java.util.Set<String> componentsWhere(java.util.function.Predicate<RusmProperties.Component> which) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        properties.getComponents().forEach((name, c) -> {
            if (which.test(c)) out.add(name);
        });
        return out;
    }

    /** Whether {@code component} is keyed ({@code placement: keyed}). */
    public boolean isKeyed(String component) {
        RusmProperties.Component c = properties.getComponents().get(component);
        return c != null && c.getPlacement() == RusmProperties.Placement.KEYED;
    }

    /**
     * A singleton in a cluster is started by the cluster's placement on its owner only (an on-demand
     * child everywhere), never by every node's supervisor at startup.
     */
    private boolean clusterPlaced(RusmProperties.Component c) {
        return c.getPlacement() == RusmProperties.Placement.SINGLETON && clustered;
    }

    /** A component run by a program attached over the wire: its memory cap is the host's, not the JVM's. */
    private WorkerSpec externalWorker(String name, RusmProperties.Component c) {
        if (external == null) {
            throw new RusmConfigurationException("rusm.components." + name + ".runtime", "'" + name
                    + "' is external, but the rusm wire is not configured", "Add the io.rusm:rusm-wire dependency and set rusm.wire.port.");
        }
        return WorkerSpec.of(name, external.behavior(name, c))
                .withRestart(c.getRestart())
                .withShutdownTimeout(c.getShutdownTimeout())
                .withMailboxCapacity(c.getMailboxCapacity())
                .withResident(c.isResident())
                .withHibernateAfter(c.getHibernateAfter());
    }

    /** The root supervisor spec ({@code rusm}) with every nested supervisor and resident component. */
    public SupervisorSpec supervisionTree() {
        return tree;
    }

    /** The components placed once per cluster (empty unless this node is one of a cluster). */
    public java.util.Set<String> singletons() {
        return clustered ? componentsWhere(c -> c.getPlacement() == RusmProperties.Placement.SINGLETON) : new java.util.TreeSet<>();
    }

    public Map<String, ServiceDefinition> definitions() {
        return Map.copyOf(definitions);
    }

    public Optional<ServiceDefinition> definition(String component) {
        return Optional.ofNullable(definitions.get(component));
    }

    /** Whether {@code component} is declared {@code runtime: external} (its code runs in a program attached over the wire). */
    public boolean isExternal(String component) {
        RusmProperties.Component c = properties.getComponents().get(component);
        return c != null && c.getRuntime() == RusmProperties.ComponentRuntime.EXTERNAL;
    }

    /** The components declared {@code runtime: external}. */
    public java.util.Set<String> externalComponents() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        properties.getComponents().forEach((name, c) -> {
            if (c.getRuntime() == RusmProperties.ComponentRuntime.EXTERNAL) out.add(name);
        });
        return out;
    }

    /** The call timeout for clients of {@code component}: its own, else {@code rusm.call-timeout}. */
    public Duration callTimeout(String component) {
        RusmProperties.Component c = properties.getComponents().get(component);
        return c != null && c.getCallTimeout() != null ? c.getCallTimeout() : properties.getCallTimeout();
    }
}
