package io.rusm;

import io.rusm.internal.process.Current;
import io.rusm.internal.process.Process;

/**
 * What a handler knows about the process it runs in: its own {@link Pid}, and how to end itself.
 * Backed by a {@link ScopedValue} bound for the life of the fiber.
 */
public final class ProcessContext {
    private ProcessContext() {}

    /** The pid of the process whose fiber calls this. */
    public static Pid self() {
        return current().pid();
    }

    /**
     * The key served by the calling incarnation of a keyed service ({@code placement: keyed}): the
     * {@code String.valueOf} of the {@link Key @Key} argument, also the part of its process name
     * after {@code <service>/}. Available from the instance's constructor on (it is created on the
     * key's fiber), so state can be loaded for the key there.
     *
     * @throws IllegalStateException outside a process, or in a process that is not a key of a keyed service
     */
    public static String key() {
        Process p = current();
        if (p.behavior() instanceof io.rusm.internal.service.ServiceBehavior service && service.key() != null) return service.key();
        throw new IllegalStateException(p.pid() + " is not a key of a keyed service (placement: keyed), so it has no key");
    }

    /** Whether the calling thread is a process fiber. */
    public static boolean inProcess() {
        return Current.orNull() != null;
    }

    /**
     * Ends the calling process once the current message returns (its reply is still delivered).
     * With {@code normal} or {@code shutdown} the queued messages are handled first and the stop hook
     * runs; any other reason ends it at once as a crash with that reason.
     */
    public static void stopSelf(ExitReason reason) {
        current().stopAfterCurrentMessage(reason);
    }

    /**
     * The calling process's {@link Timers}: keyed single, fixed-rate and fixed-delay timers whose
     * messages arrive in its own mailbox and that end with this incarnation.
     *
     * @throws FencedException if the calling incarnation has ended
     */
    public static Timers timers() {
        Current.checkAlive("timers");
        return current().timers();
    }

    /**
     * The calling resident service's durable {@link Reminders}, delivered to its
     * {@code public void onReminder(String name)} handler.
     *
     * @throws FencedException            if the calling incarnation has ended
     * @throws IllegalStateException      outside a resident service, or when the node has no reminder store
     * @throws ServiceDefinitionException if the service has no {@code onReminder(String)} handler
     */
    public static Reminders reminders() {
        Current.checkAlive("reminders");
        Process p = current();
        if (!(p.behavior() instanceof io.rusm.internal.service.ServiceBehavior service)) {
            throw new IllegalStateException("reminders belong to resident services; " + p.pid() + " is a plain process");
        }
        return service.reminders(p.reminderStore());
    }

    private static Process current() {
        Process p = Current.orNull();
        if (p == null) throw new IllegalStateException("not inside a rusm process");
        return p;
    }
}
