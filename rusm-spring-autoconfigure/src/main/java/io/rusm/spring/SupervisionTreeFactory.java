package io.rusm.spring;

import io.rusm.ChildSpec;
import io.rusm.SupervisorSpec;
import io.rusm.WorkerSpec;

import org.springframework.boot.convert.DurationStyle;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns {@link RusmProperties} plus the discovered services into the root {@link SupervisorSpec},
 * checking every property on the way: each mistake becomes a {@link RusmConfigurationException}
 * naming the property and the fix.
 *
 * <p>Order under each supervisor: its nested supervisors in declaration order, then its components
 * in declaration order, then services that have no {@code rusm.components} entry (by name).
 */
final class SupervisionTreeFactory {
    static final String ROOT = "rusm";

    private final RusmProperties properties;
    private final Map<String, Class<?>> services;
    private final Function<String, WorkerSpec> workerFor;

    /**
     * @param services  component name to service class, as discovered
     * @param workerFor makes the worker spec of a component (with its behavior supplier) from its name
     */
    SupervisionTreeFactory(RusmProperties properties, Map<String, Class<?>> services, Function<String, WorkerSpec> workerFor) {
        this.properties = properties;
        this.services = services;
        this.workerFor = workerFor;
    }

    SupervisorSpec build() {
        validateSupervisors();
        validateComponents();
        return supervisor(ROOT, properties.getSupervisor());
    }

    private SupervisorSpec supervisor(String name, RusmProperties.SupervisorSettings settings) {
        List<ChildSpec> children = new ArrayList<>();
        properties.getSupervisors().forEach((child, nested) -> {
            if (name.equals(parentOf(nested.getSupervisor()))) {
                children.add(supervisor(child, nested).withRestart(nested.getRestart()));
            }
        });
        properties.getComponents().forEach((component, c) -> {
            if (name.equals(parentOf(c.getSupervisor()))) children.add(workerFor.apply(component));
        });
        if (name.equals(ROOT)) {
            services.keySet().stream().sorted()
                    .filter(s -> !properties.getComponents().containsKey(s))
                    .forEach(s -> children.add(workerFor.apply(s)));
        }
        return SupervisorSpec.of(name).withStrategy(settings.getStrategy())
                .withIntensity(settings.getIntensity(), settings.getPeriod()).withChildren(children);
    }

    private static String parentOf(String configured) {
        return configured == null || configured.isBlank() ? ROOT : configured;
    }

    private void validateSupervisors() {
        checkSettings("rusm.supervisor", properties.getSupervisor());
        properties.getSupervisors().forEach((name, s) -> {
            String key = "rusm.supervisors." + name;
            if (name.equals(ROOT) || services.containsKey(name)) {
                throw new RusmConfigurationException(key, "the supervisor name '" + name + "' is already taken by "
                        + (name.equals(ROOT) ? "the root supervisor" : "a service"),
                        "Give the nested supervisor a name of its own.");
            }
            checkSettings(key, s);
            checkParent(key + ".supervisor", s.getSupervisor());
        });
        properties.getSupervisors().keySet().forEach(this::checkReachesRoot);
    }

    /** A chain of parents that loops never reaches the root, so its supervisors would silently never start. */
    private void checkReachesRoot(String name) {
        Set<String> chain = new LinkedHashSet<>();
        for (String s = name; !s.equals(ROOT); s = parentOf(properties.getSupervisors().get(s).getSupervisor())) {
            if (!chain.add(s)) {
                throw new RusmConfigurationException("rusm.supervisors." + name + ".supervisor",
                        "supervisors form a cycle: " + String.join(" -> ", chain) + " -> " + s,
                        "Make the chain of 'supervisor' parents end at the root (leave 'supervisor' unset for a child of the root).");
            }
        }
    }

    private void validateComponents() {
        properties.getComponents().forEach((name, c) -> {
            String key = "rusm.components." + name;
            if (c.getRuntime() == RusmProperties.ComponentRuntime.EXTERNAL) {
                if (services.containsKey(name)) {
                    throw new RusmConfigurationException(key + ".runtime", "'" + name + "' is declared external but a @ResidentService "
                            + services.get(name).getName() + " has that name too", "Remove runtime: external, or rename one of them.");
                }
            } else if (!services.containsKey(name)) {
                throw new RusmConfigurationException(key, "there is no @ResidentService named '" + name + "'"
                        + (services.isEmpty() ? " (no services were found)" : "; known services: " + services.keySet()),
                        "Annotate a class with @ResidentService(\"" + name + "\") in a scanned package, or remove the "
                                + key + " entry (names are case-sensitive).");
            }
            checkParent(key + ".supervisor", c.getSupervisor());
            checkPlacement(key, c);
            if (c.getMaxMemoryMb() != null && c.getMaxMemoryMb() <= 0) {
                throw positive(key + ".max-memory-mb", c.getMaxMemoryMb());
            }
            if (c.getMailboxCapacity() <= 0) throw positive(key + ".mailbox-capacity", c.getMailboxCapacity());
            if (c.getCallTimeout() != null && !isPositive(c.getCallTimeout())) throw positive(key + ".call-timeout", c.getCallTimeout());
            if (c.getHibernateAfter() != null && c.getHibernateAfter().isNegative()) {
                throw notNegative(key + ".hibernate-after", c.getHibernateAfter(),
                        "Set " + key + ".hibernate-after to a duration such as 1s (0: whenever its mailbox runs empty; 365d: in effect never), or remove it.");
            }
            if (c.getShutdownTimeout() == null || c.getShutdownTimeout().isNegative()) {
                throw notNegative(key + ".shutdown-timeout", c.getShutdownTimeout(),
                        "Set " + key + ".shutdown-timeout to a duration such as 5s (0 kills at once).");
            }
        });
        if (!isPositive(properties.getCallTimeout())) throw positive("rusm.call-timeout", properties.getCallTimeout());
    }

    private static void checkPlacement(String key, RusmProperties.Component c) {
        if (c.getPlacement() == null) {
            throw new RusmConfigurationException(key + ".placement", "no placement given", "Set it to node, singleton or keyed.");
        }
        if (c.getIdleTimeout() == null || !isPositive(c.getIdleTimeout())) throw positive(key + ".idle-timeout", c.getIdleTimeout());
        if (c.getPlacement() == RusmProperties.Placement.KEYED && c.getRuntime() == RusmProperties.ComponentRuntime.EXTERNAL) {
            throw new RusmConfigurationException(key + ".placement", "keyed components run one instance of a @ResidentService class "
                    + "per key, and this one is runtime: external", "Remove placement: keyed, or runtime: external.");
        }
    }

    private void checkSettings(String key, RusmProperties.SupervisorSettings s) {
        // OTP allows intensity 0 (give up on the first restart); only a negative count is meaningless.
        if (s.getIntensity() < 0) {
            throw notNegative(key + ".intensity", s.getIntensity(), "Set " + key + " to 0 (give up on the first restart) or more.");
        }
        if (s.getPeriod() == null || !isPositive(s.getPeriod())) throw positive(key + ".period", s.getPeriod());
        if (s.getStrategy() == null) {
            throw new RusmConfigurationException(key + ".strategy", "no strategy given",
                    "Set it to one-for-one, one-for-all or rest-for-one.");
        }
        if (s.getStrategy() == io.rusm.Strategy.SIMPLE_ONE_FOR_ONE) {
            throw new RusmConfigurationException(key + ".strategy", "simple-one-for-one needs a worker template, which configuration cannot give",
                    "Set it to one-for-one, one-for-all or rest-for-one; start a pool of workers with SupervisorSpec.simpleOneForOne in code.");
        }
    }

    private void checkParent(String key, String parent) {
        String p = parentOf(parent);
        if (!p.equals(ROOT) && !properties.getSupervisors().containsKey(p)) {
            throw new RusmConfigurationException(key, "there is no supervisor named '" + p + "'; declared: "
                    + new LinkedHashMap<>(properties.getSupervisors()).keySet(),
                    "Declare it under rusm.supervisors." + p + ", or leave " + key + " unset to use the root supervisor.");
        }
    }

    /** A value as it would be written in application.yml: {@code 0s}, not {@code PT0S}. */
    static String configured(Object value) {
        if (!(value instanceof Duration d)) return String.valueOf(value);
        if (d.isZero()) return "0s";
        for (ChronoUnit unit : List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS, ChronoUnit.MILLIS)) {
            if (d.toNanos() % unit.getDuration().toNanos() == 0) return DurationStyle.SIMPLE.print(d, unit);
        }
        return DurationStyle.SIMPLE.print(d, ChronoUnit.NANOS);
    }

    static boolean isPositive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    static RusmConfigurationException positive(String key, Object value) {
        return new RusmConfigurationException(key, "must be positive, was " + configured(value),
                "Set " + key + " to a value greater than zero.");
    }

    /** {@code key} was set below zero (or left null where a value is needed); {@code fix} says what to set. */
    static RusmConfigurationException notNegative(String key, Object value, String fix) {
        return new RusmConfigurationException(key, "must be zero or positive, was " + configured(value), fix);
    }
}
