package io.rusm;

import io.rusm.internal.service.Handler;
import io.rusm.internal.service.HandlerTable;
import io.rusm.internal.service.ServiceBehavior;
import io.rusm.internal.service.ServiceIntrospector;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What rusm knows about a {@link ResidentService} class: its component name and its handler table
 * (handlers resolved to method handles, Down/Exit hooks, lifecycle methods). Built once per class,
 * immutable, and shared by every incarnation; creating it checks the class, so a broken service
 * fails at startup rather than at its first message.
 *
 * <pre>{@code
 * ServiceDefinition counter = ServiceDefinition.of(Counter.class);
 * node.spawnService(counter, Counter::new);                                   // unsupervised
 * WorkerSpec.of(counter.name(), () -> counter.newBehavior(Counter::new));      // supervised
 * }</pre>
 *
 * See {@link ResidentService} for what counts as a handler.
 */
public final class ServiceDefinition {
    private static final ClassValue<HandlerTable> TABLES = new ClassValue<>() {
        @Override
        protected HandlerTable computeValue(Class<?> type) {
            return ServiceIntrospector.introspect(type);
        }
    };
    private static final ClassValue<ServiceDefinition> BY_CLASS = new ClassValue<>() {
        @Override
        protected ServiceDefinition computeValue(Class<?> type) {
            return new ServiceDefinition(defaultName(type), type, TABLES.get(type));
        }
    };

    private final String name;
    private final Class<?> serviceClass;
    private final HandlerTable table;

    private ServiceDefinition(String name, Class<?> serviceClass, HandlerTable table) {
        this.name = name;
        this.serviceClass = serviceClass;
        this.table = table;
    }

    /**
     * The definition of {@code serviceClass} under its {@linkplain #defaultName default name}; the same
     * instance on every call for a class.
     *
     * @throws ServiceDefinitionException if the class cannot be a service (the message says why)
     */
    public static ServiceDefinition of(Class<?> serviceClass) {
        return BY_CLASS.get(Objects.requireNonNull(serviceClass, "serviceClass"));
    }

    /** The definition of {@code serviceClass} under an explicit component name (its handler table is still shared). */
    public static ServiceDefinition of(String name, Class<?> serviceClass) {
        Objects.requireNonNull(serviceClass, "serviceClass");
        SpawnOptions.validateName(Objects.requireNonNull(name, "name"));
        ServiceDefinition byClass = of(serviceClass);
        return byClass.name.equals(name) ? byClass : new ServiceDefinition(name, serviceClass, byClass.table);
    }

    /**
     * The component name of a service class: {@link ResidentService#value()} if set, else its simple
     * name decapitalized as Spring names beans ({@code Counter} → {@code counter}; a name starting
     * with two capitals is kept: {@code URLCache}).
     */
    public static String defaultName(Class<?> serviceClass) {
        ResidentService annotation = serviceClass.getAnnotation(ResidentService.class);
        if (annotation != null && !annotation.value().isBlank()) return annotation.value();
        String simple = serviceClass.getSimpleName();
        if (simple.isEmpty()) {
            throw new ServiceDefinitionException(serviceClass.getName() + " has no simple name (anonymous class): "
                    + "give it a name with @ResidentService(\"...\") or ServiceDefinition.of(name, type)");
        }
        if (simple.length() > 1 && Character.isUpperCase(simple.charAt(0)) && Character.isUpperCase(simple.charAt(1))) {
            return simple;
        }
        return Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
    }

    /** The component name: the process's registered name and the key of its configuration. */
    public String name() {
        return name;
    }

    public Class<?> serviceClass() {
        return serviceClass;
    }

    /** The handlers' signatures ({@code "long bump(long)"}), for diagnostics. */
    public List<String> handlerSignatures() {
        return table.handlers().stream().map(Handler::signature).toList();
    }

    /**
     * A fresh behavior for one incarnation: on its fiber it gets an instance from {@code instances},
     * runs its {@code @PostConstruct} methods, then dispatches messages to its handlers; on graceful
     * stop it runs {@code @PreDestroy}. Give a supervisor {@code () -> definition.newBehavior(supplier)}.
     */
    public Behavior newBehavior(Supplier<?> instances) {
        return new ServiceBehavior(name, table, instances, true);
    }

    /**
     * Like {@link #newBehavior} for containers whose supplier already ran {@code @PostConstruct} on
     * the instances it returns (Spring's {@code getBean} of a prototype); rusm still runs
     * {@code @PreDestroy} on graceful stop, which containers do not do for prototypes.
     */
    public Behavior newBehaviorForInitializedInstances(Supplier<?> instances) {
        return new ServiceBehavior(name, table, instances, false);
    }

    /** For integrations inside rusm (dispatch, client validation); not API. */
    public HandlerTable handlerTable() {
        return table;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceDefinition d && name.equals(d.name) && serviceClass == d.serviceClass;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + serviceClass.hashCode();
    }

    @Override
    public String toString() {
        return "ServiceDefinition[" + name + ": " + serviceClass.getName() + ", " + table.handlers().size() + " handlers]";
    }
}
