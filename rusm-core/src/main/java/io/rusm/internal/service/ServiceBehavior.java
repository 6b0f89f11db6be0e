package io.rusm.internal.service;

import io.rusm.Behavior;
import io.rusm.Down;
import io.rusm.Exit;
import io.rusm.ServiceDefinitionException;

import io.rusm.Kv;
import io.rusm.ProcessContext;
import io.rusm.Reminders;
import io.rusm.internal.process.Current;
import io.rusm.internal.timer.ServiceReminders;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link Behavior} of one incarnation of a resident service: creates a fresh service instance on
 * the fiber, dispatches {@link Invocation}s to its handlers through the class's {@link HandlerTable},
 * routes {@link Down}/{@link Exit} to the hooks, and runs the lifecycle methods.
 *
 * <p>One instance per incarnation (a supervisor asks for a new one on every start). All methods run
 * on the fiber, one at a time, so the fields need no synchronization.
 */
public final class ServiceBehavior implements Behavior {
    private final String name;
    private final HandlerTable table;
    private final Supplier<?> instances;
    private final boolean runPostConstruct;
    /** The key of a keyed service's incarnation ({@link io.rusm.ProcessContext#key()}), or null. */
    private final String key;
    private Object instance;
    /** The handler running (or that just threw), for {@link #isDeclaredFailure}. */
    private Handler current;
    /** The exception this behavior raised itself for a message naming no handler: the caller's mistake. */
    private Throwable misdirected;
    /** This incarnation's reminders, made on first use (or at init when the node has a store). */
    private ServiceReminders reminders;
    /** See {@link #known()}; set before the process is spawned. */
    private boolean known;

    /**
     * @param name             the service's name, for messages
     * @param table            its handlers
     * @param instances        makes the instance of this incarnation; called once, on the fiber
     * @param runPostConstruct false when the supplier already ran {@code @PostConstruct} (a container
     *                         such as Spring creating the instance); {@code @PreDestroy} is run either way
     */
    public ServiceBehavior(String name, HandlerTable table, Supplier<?> instances, boolean runPostConstruct) {
        this(name, table, instances, runPostConstruct, null);
    }

    /** One incarnation of the process of {@code key} of a keyed service; {@code name} is {@code <service>/<key>}. */
    public ServiceBehavior(String name, HandlerTable table, Supplier<?> instances, boolean runPostConstruct, String key) {
        this.name = Objects.requireNonNull(name, "name");
        this.table = Objects.requireNonNull(table, "table");
        this.instances = Objects.requireNonNull(instances, "instances");
        this.runPostConstruct = runPostConstruct;
        this.key = key;
    }

    /** The class of the service it runs. */
    public Class<?> serviceClass() {
        return table.serviceClass();
    }

    /** Spawned as a service ({@code Node.spawnService}): the node knows its definition while it runs. */
    public ServiceBehavior known() {
        this.known = true;
        return this;
    }

    public boolean isKnown() {
        return known;
    }

    /** The key this incarnation serves, or null if the service is not keyed. */
    public String key() {
        return key;
    }

    @Override
    public void init() {
        Object created = instances.get();
        if (created == null) {
            throw new ServiceDefinitionException("the instance supplier of service '" + name + "' returned null");
        }
        if (!table.serviceClass().isInstance(created)) {
            throw new ServiceDefinitionException("the instance supplier of service '" + name + "' returned a "
                    + created.getClass().getName() + ", not a " + table.serviceClass().getName());
        }
        instance = created;
        if (runPostConstruct) table.runPostConstruct(created);
        table.startEvery();
        Function<String, Kv> store = Current.orNull().reminderStore();
        if (store != null && onReminder() != null) {
            var self = Current.orNull();
            self.reminderWakeups().running(self.pid().name(), self.exitFuture()); // an idle on-demand service's wake-up stands down
            reminders(store);
            reminders.resume();
        }
    }

    @Override
    public Object handle(Object message) {
        current = null;
        misdirected = null;
        Handler handler;
        Object[] args;
        switch (message) {
            case Invocation invocation -> {
                handler = table.resolve(invocation);
                if (handler == null) throw misdirected(noHandler(invocation));
                args = invocation.args();
                if (args.length != handler.parameterCount()) {
                    throw misdirected(new ServiceDefinitionException("service '" + name + "': " + handler
                            + " takes " + handler.parameterCount() + " arguments, the invocation carried " + args.length));
                }
            }
            case EveryMethods.Periodic every -> {
                handler = every.handler();
                args = new Object[0];
            }
            case Runnable task -> { // a timer the service started, e.g. timers().startFixedRate(key, every, this::expire)
                task.run();
                return null;
            }
            case Down down -> {
                handler = table.onDown();
                if (handler == null) return null;
                args = new Object[] {down};
            }
            case Exit exit -> {
                handler = table.onExit();
                if (handler == null) return null;
                args = new Object[] {exit};
            }
            default -> throw misdirected(new ServiceDefinitionException("service '" + name + "' ("
                    + table.serviceClass().getName() + ") received a " + message.getClass().getName()
                    + ", which is not a handler invocation; talk to it through its @ServiceClient interface"));
        }
        current = handler;
        return handler.invoke(instance, args);
    }

    private Handler onReminder() {
        return takesReminders(table);
    }

    /** The {@code public void onReminder(String name)} handler of a service class, or null if it has none. */
    public static Handler takesReminders(HandlerTable table) {
        return table.find(HandlerKey.of("onReminder", String.class));
    }

    /** This incarnation's {@link Reminders}, kept in {@code store}'s namespace of the service; on the fiber. */
    public Reminders reminders(Function<String, Kv> store) {
        if (reminders != null) return reminders;
        Handler h = onReminder();
        if (h == null) {
            throw new ServiceDefinitionException("service '" + name + "' (" + table.serviceClass().getName()
                    + ") has no handler public void onReminder(String name): its reminders would have nowhere to go");
        }
        if (store == null) {
            throw new IllegalStateException("the node has no store for reminders: give it one with Node.reminderStore(...)");
        }
        var listeners = Current.orNull().listeners();
        reminders = new ServiceReminders(store.apply(name), ProcessContext.timers(), n -> {
            try {
                h.invoke(instance, new Object[] {n});
            } catch (RuntimeException | Error e) {
                listeners.reminderFired(name, n, "crashed");
                throw e;
            }
            listeners.reminderFired(name, n, "ok");
        });
        return reminders;
    }

    private ServiceDefinitionException noHandler(Invocation invocation) {
        return new ServiceDefinitionException("service '" + name + "' (" + table.serviceClass().getName()
                + ") has no handler " + invocation.handler() + "; the client was built against a different version of it");
    }

    private RuntimeException misdirected(RuntimeException e) {
        misdirected = e;
        return e;
    }

    /**
     * True iff {@code failure} is in the {@code throws} clause of the handler that threw it (the caller
     * gets it, the service keeps its state), or is this behavior's own complaint about a message that
     * names no handler.
     */
    @Override
    public boolean isDeclaredFailure(Object message, Throwable failure) {
        if (failure == misdirected) return true;
        Handler h = current;
        return h != null && h.declares(failure);
    }

    @Override
    public void terminate() {
        if (instance != null) table.runPreDestroy(instance);
    }

    /** The instance of this incarnation (null before init). */
    public Object instance() {
        return instance;
    }

    /** The service instance is what its memory cap measures. */
    @Override
    public Object state() {
        return instance;
    }

    @Override
    public String toString() {
        return "ServiceBehavior[" + name + "]";
    }
}
