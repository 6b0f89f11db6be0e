package io.rusm;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A keyed service ({@code placement: keyed}): a family of processes, one per key, each registered as
 * {@code <service>/<key>}, started by its first call and stopped gracefully after
 * {@link #idleTimeout()} without messages. Give it to {@link Node#keyedService(KeyedSpec)}, which
 * returns the family's {@link WorkerSpec} to put under a supervisor.
 *
 * <pre>{@code
 * KeyedSpec cart = KeyedSpec.of(ServiceDefinition.of(Cart.class), Cart::new).withIdleTimeout(Duration.ofMinutes(10));
 * node.startSupervisor(SupervisorSpec.of("root").withChildren(List.of(node.keyedService(cart))));
 * CartClient carts = node.client(CartClient.class);            // methods name the key with @Key
 * CartClient alice = node.client(CartClient.class, "alice");   // or bound to one key
 * }</pre>
 *
 * <p>Everything a plain component has applies <em>per key</em>: {@code instances} is asked for a
 * fresh instance on each key's every (re)start (on that key's fiber, where {@link ProcessContext#key()}
 * answers), the mailbox capacity and memory cap bound each key, and a key that crashes is restarted
 * per {@link #restart()} with its own restart intensity ({@link #intensity()} restarts within
 * {@link #period()}; past it that key alone stays stopped until its next call), so one poisoned key
 * never takes its family or supervisor down.
 *
 * @param definition        the service class and its name (the family's name; it must not contain {@code /})
 * @param instances         makes one instance per key incarnation, called on that key's fiber
 * @param initialized       true when {@code instances} already ran the {@code @PostConstruct} methods
 *                          (a container such as Spring); {@code @PreDestroy} runs on graceful stop either way
 * @param idleTimeout       a key with no message for this long is stopped gracefully (default 10 min)
 * @param restart           restart type of each key after it crashed (default {@link RestartType#PERMANENT})
 * @param intensity         restarts one key may have within {@code period} before it is left stopped (default 3)
 * @param period            the window of {@code intensity} (default 5 s)
 * @param mailboxCapacity   each key's mailbox bound
 * @param maxMemoryBytes    each key's memory cap, 0 for none
 * @param shutdownTimeout   drain deadline of the keys (all draining in parallel) when the family stops
 * @param hibernateAfter    idle time before a key's process hibernates (it keeps running, without a fiber;
 *                          {@link SpawnOptions#withHibernateAfter}), or null for the node's default
 */
public record KeyedSpec(ServiceDefinition definition, Supplier<?> instances, boolean initialized, Duration idleTimeout,
                        RestartType restart, int intensity, Duration period, int mailboxCapacity, long maxMemoryBytes,
                        Duration shutdownTimeout, Duration hibernateAfter) {

    /** The default {@link #idleTimeout()}: 10 minutes. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

    public KeyedSpec {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(instances, "instances");
        Objects.requireNonNull(restart, "restart");
        if (definition.name().contains("/")) {
            throw new ServiceDefinitionException("keyed service name '" + definition.name()
                    + "' contains '/', which separates a keyed service's name from its keys; rename it");
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + idleTimeout);
        }
        if (intensity < 0) throw new IllegalArgumentException("intensity must not be negative: " + intensity);
        if (period == null || period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be positive: " + period);
        WorkerSpec.checkLimits(Objects.requireNonNull(shutdownTimeout, "shutdownTimeout"), mailboxCapacity, maxMemoryBytes);
        if (hibernateAfter != null) SpawnOptions.checkHibernateAfter(hibernateAfter);
    }

    /** A spec with the node's default hibernate-after. */
    public KeyedSpec(ServiceDefinition definition, Supplier<?> instances, boolean initialized, Duration idleTimeout,
                     RestartType restart, int intensity, Duration period, int mailboxCapacity, long maxMemoryBytes,
                     Duration shutdownTimeout) {
        this(definition, instances, initialized, idleTimeout, restart, intensity, period, mailboxCapacity, maxMemoryBytes, shutdownTimeout, null);
    }

    /** A keyed spec with the defaults; {@code instances} makes a fresh instance per key incarnation. */
    public static KeyedSpec of(ServiceDefinition definition, Supplier<?> instances) {
        return new KeyedSpec(definition, instances, false, DEFAULT_IDLE_TIMEOUT, RestartType.PERMANENT, 3,
                Duration.ofSeconds(5), SpawnOptions.DEFAULT_MAILBOX_CAPACITY, 0, WorkerSpec.DEFAULT_SHUTDOWN_TIMEOUT, null);
    }

    /** Like {@link #of} for a supplier that already ran {@code @PostConstruct} (Spring's {@code getBean} of a prototype). */
    public static KeyedSpec ofInitializedInstances(ServiceDefinition definition, Supplier<?> instances) {
        return of(definition, instances).withInitialized(true);
    }

    private KeyedSpec withInitialized(boolean value) {
        return new KeyedSpec(definition, instances, value, idleTimeout, restart, intensity, period, mailboxCapacity, maxMemoryBytes, shutdownTimeout, hibernateAfter);
    }

    /** The family's name: the service's component name. */
    public String name() {
        return definition.name();
    }

    public KeyedSpec withIdleTimeout(Duration timeout) {
        return new KeyedSpec(definition, instances, initialized, timeout, restart, intensity, period, mailboxCapacity, maxMemoryBytes, shutdownTimeout, hibernateAfter);
    }

    public KeyedSpec withRestart(RestartType type) {
        return new KeyedSpec(definition, instances, initialized, idleTimeout, type, intensity, period, mailboxCapacity, maxMemoryBytes, shutdownTimeout, hibernateAfter);
    }

    /** Per key: more than {@code restarts} restarts of one key within {@code within} and that key is left stopped. */
    public KeyedSpec withIntensity(int restarts, Duration within) {
        return new KeyedSpec(definition, instances, initialized, idleTimeout, restart, restarts, within, mailboxCapacity, maxMemoryBytes, shutdownTimeout, hibernateAfter);
    }

    public KeyedSpec withMailboxCapacity(int capacity) {
        return new KeyedSpec(definition, instances, initialized, idleTimeout, restart, intensity, period, capacity, maxMemoryBytes, shutdownTimeout, hibernateAfter);
    }

    public KeyedSpec withMaxMemoryBytes(long bytes) {
        return new KeyedSpec(definition, instances, initialized, idleTimeout, restart, intensity, period, mailboxCapacity, bytes, shutdownTimeout, hibernateAfter);
    }

    public KeyedSpec withShutdownTimeout(Duration timeout) {
        return new KeyedSpec(definition, instances, initialized, idleTimeout, restart, intensity, period, mailboxCapacity, maxMemoryBytes, timeout, hibernateAfter);
    }

    /** Idle time before a key's process hibernates ({@link SpawnOptions#withHibernateAfter}); null: the node's default. */
    public KeyedSpec withHibernateAfter(Duration after) {
        return new KeyedSpec(definition, instances, initialized, idleTimeout, restart, intensity, period, mailboxCapacity, maxMemoryBytes,
                shutdownTimeout, after);
    }
}
