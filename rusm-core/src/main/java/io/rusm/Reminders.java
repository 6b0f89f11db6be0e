package io.rusm;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Durable timers of a resident service (Orleans and Dapr reminders), reached with
 * {@link ProcessContext#reminders()} from the service's fiber. A reminder is stored in the service's
 * {@link Kv} namespace, so it outlives the incarnation that registered it, a restart of the service
 * and a restart of the JVM; each due time calls the service's {@code public void onReminder(String name)}
 * handler on its fiber, like a cast.
 *
 * <p>At most once per due time: the due time is recorded in {@code Kv} (durably) before
 * {@code onReminder} runs, so a crash or a kill during the handler does not repeat it. Due times
 * that passed while the service or the JVM was down fire once, when it is running again, and the
 * following due time is the next one after that moment. The node must have a store for reminders
 * ({@link Node#reminderStore}); with the Spring starter it is the {@code Kv} store.
 *
 * <p>A reminder of an on-demand service (a non-resident supervised child, {@code resident: false})
 * that is not running when it comes due starts the service through its supervisor, as a first call
 * would, and the new incarnation gets it: the node watches the {@code Kv} of its idle on-demand
 * services that have an {@code onReminder} handler (and are declared, as the Spring starter does).
 *
 * <p>Not yet: keyed services (their names will go through the node's one start-by-name path) and
 * delivery across a cluster (there is no cluster yet).
 */
public interface Reminders {

    /**
     * Registers (or replaces) the reminder {@code name}: first due at {@code firstDue}, then every
     * {@code period}; a zero period makes a one-shot reminder, removed once it fired. Durable when it
     * returns.
     */
    void register(String name, Instant firstDue, Duration period);

    /** Removes the reminder; a due time not yet handled never fires. Returns whether there was one. */
    boolean unregister(String name);

    /** The names of this service's reminders. */
    Set<String> names();

    /** When {@code name} fires next (a due time in the past: it fires as soon as it can), or empty. */
    Optional<Instant> nextDue(String name);
}
