package io.rusm;

import io.rusm.event.ProcessListener;
import io.rusm.internal.process.Current;
import io.rusm.internal.process.Process;
import io.rusm.internal.process.Runtime;
import io.rusm.internal.client.ClientFactory;

import io.rusm.internal.supervisor.OnDemandChildren;
import io.rusm.internal.supervisor.SupervisorBehavior;
import io.rusm.spi.Placement;
import io.rusm.spi.Route;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A rusm runtime: spawns processes, addresses them by name or {@link Pid}, and carries calls,
 * sends, monitors, links and exit signals between them. Usable on its own, without Spring.
 *
 * <pre>{@code
 * try (Node node = Node.create()) {
 *     node.spawn(SpawnOptions.named("echo"), message -> message);
 *     String reply = node.call("echo", "hi");
 * }
 * }</pre>
 *
 * <p>Calls block the calling thread until the reply, the timeout or the callee's death; on a virtual
 * thread that costs no carrier thread. See the README section "Calls, sends and failure" for what a
 * caller sees in each case.
 */
public final class Node implements AutoCloseable {
    private final Runtime runtime;
    private final Duration defaultCallTimeout;
    /** Running top-level supervisors in start order; shutdown stops them newest first, before anything else. */
    private final List<Supervisor> supervisors = new CopyOnWriteArrayList<>();
    /** Non-resident supervised children and the supervisor incarnation that starts each on demand. */
    private final OnDemandChildren onDemand = new OnDemandChildren();
    /**
     * Services declared on this node by name, for client validation; they stay. A service only
     * spawned is known through its running process ({@link #serviceDefinition}), so memory follows
     * what is alive and a million spawned services keep no entry here.
     */
    private final ConcurrentHashMap<String, ServiceDefinition> services = new ConcurrentHashMap<>();

    /** Keyed services: names {@code <service>/<key>} route to their family, which activates keys on demand. */
    private final io.rusm.internal.keyed.KeyedFamilies keyed = new io.rusm.internal.keyed.KeyedFamilies();

    /** The seam client proxies reach services through. */
    private final io.rusm.internal.client.ServicePort port = new io.rusm.internal.client.ServicePort() {
        @Override
        public ServiceDefinition definition(String service) {
            return serviceDefinition(service).orElse(null);
        }

        @Override
        public Object call(String service, Object request, Duration timeout) {
            return Node.this.call(service, request, timeout);
        }

        @Override
        public CompletableFuture<Object> callAsync(String service, Object request, Duration timeout) {
            return Node.this.callAsync(service, request, timeout);
        }

        @Override
        public void send(String service, Object message) {
            Node.this.send(service, message);
        }

        @Override
        public boolean isKeyed(String service) {
            return keyed.named(service) != null;
        }
    };

    private Node(String name, Duration defaultCallTimeout, Duration hibernateAfter) {
        this.runtime = new Runtime(name);
        runtime.hibernateAfter(hibernateAfter);
        this.defaultCallTimeout = defaultCallTimeout;
        // An idle on-demand service with a due reminder is started like a first call would start it.
        var wakeups = runtime.reminderWakeups();
        wakeups.starter(this::startByName);
        wakeups.takesReminders(n -> serviceDefinition(n)
                .map(d -> io.rusm.internal.service.ServiceBehavior.takesReminders(d.handlerTable()) != null).orElse(false));
        onDemand.onChange(wakeups::watch, wakeups::unwatch);
        wakeups.isKey(n -> keyed.route(n) != null);
    }

    /**
     * How long a process idles before it hibernates (its fiber ends, the process does not; the next
     * message starts a fresh fiber), unless configured otherwise.
     */
    public static final Duration DEFAULT_HIBERNATE_AFTER = Duration.ofSeconds(1);

    /** A node named {@code local} with a 5 s default call timeout. */
    public static Node create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Node}. */
    public static final class Builder {
        private String name = "local";
        private Duration callTimeout = Duration.ofSeconds(5);
        private Duration hibernateAfter = DEFAULT_HIBERNATE_AFTER;

        private Builder() {}

        /** The node's name, part of every {@link Pid} it hands out. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        /** Timeout for calls that do not give one. */
        public Builder defaultCallTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("call timeout must be positive");
            this.callTimeout = timeout;
            return this;
        }

        /**
         * How long a process may idle before it hibernates, unless its spawn options say otherwise
         * ({@link SpawnOptions#withHibernateAfter}; default {@link #DEFAULT_HIBERNATE_AFTER}). Zero
         * hibernates whenever a mailbox runs empty; a very long one (a year) in effect never.
         */
        public Builder hibernateAfter(Duration after) {
            SpawnOptions.checkHibernateAfter(after);
            this.hibernateAfter = after;
            return this;
        }

        public Node build() {
            return new Node(name, callTimeout, hibernateAfter);
        }
    }

    /** This node's name. */
    public String name() {
        return runtime.nodeName();
    }

    public Duration defaultCallTimeout() {
        return defaultCallTimeout;
    }

    /** Adds a listener for process and call events (health, metrics). */
    public void addListener(ProcessListener listener) {
        runtime.listeners.add(listener);
    }

    public void removeListener(ProcessListener listener) {
        runtime.listeners.remove(listener);
    }

    // ---- spawning and lookup ----------------------------------------------------------------

    /**
     * Starts a process and returns once its {@link Behavior#init()} has run on its fiber.
     *
     * @throws IllegalStateException    if the name is held by a live process
     * @throws ProcessCrashedException  if {@code init} threw (the cause) or the link target was dead
     */
    public Pid spawn(SpawnOptions options, Behavior behavior) {
        return runtime.spawn(options, behavior);
    }

    /** Starts an anonymous process. */
    public Pid spawn(Behavior behavior) {
        return spawn(SpawnOptions.anonymous(), behavior);
    }

    /** The current incarnation registered under {@code name}, if one is running. */
    public Optional<Pid> whereis(String name) {
        Process p = runtime.byName(name);
        if (p != null) return Optional.of(p.pid());
        Route route = route(name);
        return route == null ? Optional.empty() : route.whereis(name);
    }

    /**
     * Makes this node one of a cluster: from now on, names it does not run are looked up through
     * {@code placement} (see {@link Placement}). Set once, before services start.
     */
    public void place(Placement placement) {
        if (runtime.placement() != null) throw new IllegalStateException("node '" + name() + "' already has a placement");
        runtime.placement(java.util.Objects.requireNonNull(placement, "placement"));
    }

    /** The cluster's placement, if this node is one of a cluster. */
    public Optional<Placement> placement() {
        return Optional.ofNullable(runtime.placement());
    }

    /** Where a name this node does not run is served, or null for here. */
    private Route route(String name) {
        Placement placement = runtime.placement();
        return placement == null ? null : placement.route(name);
    }

    /** A remote call's failures are the failure table's exceptions already; declared ones come as they are. */
    @SuppressWarnings("unchecked")
    private static <R> R remote(java.util.concurrent.Callable<Object> call) {
        try {
            return (R) call.call();
        } catch (Throwable t) {
            throw Sneaky.<RuntimeException>rethrow(t);
        }
    }

    /**
     * Whether this incarnation is alive and hibernating: idle past its hibernate-after, with no fiber
     * until its next message ({@link SpawnOptions#withHibernateAfter}).
     */
    public boolean isHibernating(Pid pid) {
        Process p = runtime.byPid(pid);
        return p != null && p.isAlive() && p.hibernating();
    }

    /** Whether this incarnation is still running. */
    public boolean isAlive(Pid pid) {
        return runtime.byPid(pid) != null;
    }

    /** Messages waiting in the process's mailbox (0 if it is not running). */
    public int mailboxSize(Pid pid) {
        Process p = runtime.byPid(pid);
        return p == null ? 0 : p.mailbox().size();
    }

    /**
     * Keys of the process's active timers ({@link ProcessContext#timers()}, {@link Every @Every}
     * methods as {@code @Every(name)}), as strings; empty if it has none or is not running.
     */
    public List<String> timerKeys(Pid pid) {
        Process p = runtime.byPid(pid);
        return p == null ? List.of() : p.timerKeys().stream().map(String::valueOf).sorted().toList();
    }

    /**
     * Gives the node a durable store for {@link Reminders}: {@code kvOfService} returns the {@code Kv}
     * namespace of a service by name, e.g. {@code node.reminderStore(kvStore::forComponent)}. Services
     * started afterwards re-arm their stored reminders as they start.
     */
    public void reminderStore(java.util.function.Function<String, Kv> kvOfService) {
        runtime.reminderStore(kvOfService);
        runtime.reminderWakeups().rescanAll(); // idle on-demand services already known may have reminders due
    }

    /** How many timers the process has active (0 if it is not running). */
    public int activeTimers(Pid pid) {
        Process p = runtime.byPid(pid);
        return p == null ? 0 : p.timerKeys().size();
    }

    /**
     * Retained bytes of the process's state at its last memory check, or -1 if it has no memory cap,
     * was not measured yet or is not running.
     */
    public long memoryBytes(Pid pid) {
        Process p = runtime.byPid(pid);
        return p == null ? -1 : p.memoryBytes();
    }

    /**
     * Marks objects as shared infrastructure that no process's memory cap is charged for, even when
     * a service holds a reference to them (Spring passes its singleton beans). The node and Kv
     * stores are always shared.
     */
    public void sharedObjects(java.util.function.Predicate<Object> shared) {
        runtime.sharedObjects(shared);
    }

    /** Live processes on this node, named and anonymous. */
    public int processCount() {
        return runtime.processCount();
    }

    // ---- supervision ------------------------------------------------------------------------

    /** Starts a top-level supervisor and its children (in order); see {@link #startSupervisor(SupervisorSpec, Consumer)}. */
    public Supervisor startSupervisor(SupervisorSpec spec) {
        return startSupervisor(spec, reason -> { });
    }

    /**
     * Starts a top-level supervisor and returns once every child has started. {@code onAbnormalExit}
     * runs (once) if the supervisor gives up after a restart storm — it is then passed
     * {@link ExitReason#ESCALATED}, although the supervisor process exits with {@code shutdown} as
     * OTP's does — or ends with any other abnormal reason (e.g. killed): that is where an
     * application marks itself broken. A plain stop does not run it.
     *
     * @throws ProcessCrashedException if a child could not start (the already started ones are stopped)
     */
    public Supervisor startSupervisor(SupervisorSpec spec, Consumer<ExitReason> onAbnormalExit) {
        SupervisorBehavior behavior = new SupervisorBehavior(runtime, onDemand, spec, null);
        Pid pid = spawn(SpawnOptions.named(spec.name()).withTrapExits(true), behavior);
        Process p = runtime.byPid(pid);
        CompletableFuture<ExitReason> processExit = p != null ? p.exitFuture() : CompletableFuture.completedFuture(ExitReason.NOPROC);
        CompletableFuture<ExitReason> outcome = processExit.thenApply(r -> behavior.gaveUp() ? ExitReason.ESCALATED : r);
        Supervisor supervisor = new Supervisor(this, behavior, pid, outcome);
        supervisors.add(supervisor);
        outcome.thenAccept(reason -> supervisors.remove(supervisor)); // the node keeps nothing of a supervisor that is gone
        // On a thread of its own: the callback is user code, and the supervisor's end (a kill, a
        // link's exit signal) must never wait on it.
        outcome.thenAcceptAsync(reason -> {
            if (!reason.isNormal()) onAbnormalExit.accept(reason);
        }, task -> Thread.ofVirtual().name("rusm-supervisor-exit").start(task));
        return supervisor;
    }

    /** Top-level supervisors running on this node, in start order (stopped and escalated ones are forgotten). */
    public List<Supervisor> supervisors() {
        return List.copyOf(supervisors);
    }

    /**
     * The running top-level supervisor named {@code name} (OTP addresses a supervisor by its
     * registered name), for its child operations: {@link Supervisor#startChild}, ...
     */
    public Optional<Supervisor> supervisor(String name) {
        for (Supervisor s : supervisors) if (s.name().equals(name)) return Optional.of(s);
        return Optional.empty();
    }

    /** How many non-resident children the node can start on demand now (for tests of what it keeps). */
    public int onDemandChildren() {
        return onDemand.size();
    }

    // ---- resident services and clients ------------------------------------------------------

    /**
     * Spawns an incarnation of a resident service under {@code definition.name()} and returns once its
     * instance exists and its {@code @PostConstruct} methods ran, both on its fiber. {@code instances}
     * is called once per incarnation (spawn again after a crash to get a fresh instance). The node
     * remembers the definition, so {@link #client clients} of that name are validated against it.
     *
     * @param options spawn options; their name must be null (then the definition's name is used) or
     *                equal to it
     * @throws ProcessCrashedException if creating the instance or a {@code @PostConstruct} method threw
     */
    public Pid spawnService(ServiceDefinition definition, Supplier<?> instances, SpawnOptions options) {
        String name = definition.name();
        if (options.name() != null && !options.name().equals(name)) {
            throw new IllegalArgumentException("spawn options name '" + options.name() + "' differs from the service name '" + name
                    + "'; use ServiceDefinition.of(\"" + options.name() + "\", type) to run the service under another name");
        }
        // The canonical constructor, so no option (memory cap included) can be dropped on the way.
        SpawnOptions named = options.name() != null ? options : new SpawnOptions(name, options.mailboxCapacity(),
                options.trapExits(), options.linkTo(), options.startTimeout(), options.maxMemoryBytes(), options.hibernateAfter());
        know(definition, false);
        Behavior behavior = definition.newBehavior(instances);
        if (behavior instanceof io.rusm.internal.service.ServiceBehavior sb) sb.known();
        return spawn(named, behavior);
    }

    /** {@link #spawnService(ServiceDefinition, Supplier, SpawnOptions)} with default options. */
    public Pid spawnService(ServiceDefinition definition, Supplier<?> instances) {
        return spawnService(definition, instances, SpawnOptions.named(definition.name()));
    }

    /**
     * Tells the node which service class answers to {@code definition.name()} without spawning it (for
     * services started by a supervisor or later), so clients are validated against it. Declaring the
     * same definition again is a no-op.
     *
     * @throws IllegalStateException if another class is already declared under that name
     */
    public void declareService(ServiceDefinition definition) {
        know(definition, true);
    }

    private void know(ServiceDefinition definition, boolean declared) {
        String name = definition.name();
        ServiceDefinition existing = declared ? services.putIfAbsent(name, definition) : services.get(name);
        if (existing != null && existing.serviceClass() != definition.serviceClass()) {
            throw new IllegalStateException("service name '" + name + "' is already declared for "
                    + existing.serviceClass().getName() + "; cannot declare it for "
                    + definition.serviceClass().getName());
        }
    }

    /** The definition spawned or declared under {@code name}, if any. */
    public Optional<ServiceDefinition> serviceDefinition(String name) {
        ServiceDefinition known = services.get(name);
        if (known != null) return Optional.of(known);
        io.rusm.internal.keyed.KeyedFamily family = keyed.route(name); // a key answers with its service's handlers
        if (family != null) return Optional.of(family.spec().definition());
        Process p = runtime.byName(name); // a service spawned, not declared: known while it runs
        return p != null && p.behavior() instanceof io.rusm.internal.service.ServiceBehavior sb && sb.isKnown()
                ? Optional.of(ServiceDefinition.of(name, sb.serviceClass())) : Optional.empty();
    }

    /** {@link #client(Class, Duration)} with this node's default call timeout. */
    public <T> T client(Class<T> clientInterface) {
        return client(clientInterface, defaultCallTimeout);
    }

    /**
     * A proxy of a {@link ServiceClient} interface whose methods are calls ({@code callTimeout} each),
     * async calls or sends to the service named by its annotation; see {@link ServiceClient} for the
     * mapping rule. Validated now if the node knows the service's definition, else on the first call
     * after it learns it; until then calls go out unvalidated and a mismatch fails at the service.
     *
     * @throws ServiceDefinitionException if the interface does not match the service (every problem listed)
     */
    public <T> T client(Class<T> clientInterface, Duration callTimeout) {
        return ClientFactory.create(port, clientInterface, callTimeout);
    }

    /**
     * A client of a keyed service bound to one key: every method goes to the process of
     * {@code String.valueOf(key)} (started on demand), and no method may name a key with {@link Key @Key}.
     *
     * @throws ServiceDefinitionException if the service is not keyed, or a method has {@code @Key}
     */
    public <T> T client(Class<T> clientInterface, Object key) {
        return client(clientInterface, key, defaultCallTimeout);
    }

    /** {@link #client(Class, Object)} with its own call timeout. */
    public <T> T client(Class<T> clientInterface, Object key, Duration callTimeout) {
        return ClientFactory.createBound(port, clientInterface, String.valueOf(Objects.requireNonNull(key, "key")), callTimeout);
    }

    // ---- keyed services ---------------------------------------------------------------------

    /**
     * Declares a keyed service and returns its family's {@link WorkerSpec} (named after the service)
     * to put under a supervisor: while that child runs, calls and sends to {@code <service>/<key>}
     * start the key's process on demand; when it stops, every key is stopped (drained) first. Clients
     * of the service are validated as keyed from now on.
     *
     * @throws IllegalStateException if a keyed service of that name (or another class under it) is declared
     */
    public WorkerSpec keyedService(KeyedSpec spec) {
        io.rusm.internal.keyed.KeyedFamily family = new io.rusm.internal.keyed.KeyedFamily(spec, runtime, defaultCallTimeout);
        know(spec.definition(), true);
        keyed.add(family);
        return WorkerSpec.of(spec.name(), family::newBehavior).withShutdownTimeout(spec.shutdownTimeout());
    }

    /** Counts of a keyed service's family on this node (live keys, activations, restarts), if {@code service} is keyed. */
    public Optional<KeyedStats> keyedStats(String service) {
        io.rusm.internal.keyed.KeyedFamily family = keyed.named(service);
        return family == null ? Optional.empty() : Optional.of(family.stats());
    }

    /** The keyed services declared on this node, in declaration order. */
    public List<String> keyedServices() {
        return keyed.all().stream().map(io.rusm.internal.keyed.KeyedFamily::name).toList();
    }

    // ---- calls and sends --------------------------------------------------------------------

    /** Calls the process registered as {@code name} with the default timeout. */
    public <R> R call(String name, Object request) {
        return call(name, request, defaultCallTimeout);
    }

    /**
     * Calls the process registered as {@code name} and waits for its reply. An exception the handler
     * declares is re-thrown as is (even a checked one); see the class doc for the rest. A name
     * {@code <service>/<key>} of a {@linkplain #keyedService keyed service} starts that key's
     * process if it is not running, within {@code timeout}.
     */
    public <R> R call(String name, Object request, Duration timeout) {
        io.rusm.internal.keyed.KeyedFamily family = keyed.route(name);
        if (family != null) {
            Route route = route(name); // in a cluster every key goes through its route: it may live on another node
            if (route != null) return remote(() -> route.call(name, null, request, timeout));
            return keyedCall(family, name, request, timeout);
        }
        Process running = runtime.byName(name);
        if (running != null) return doCall(running, name, name, request, timeout);
        Route route = route(name);
        if (route != null) return remote(() -> route.call(name, null, request, timeout));
        long deadline = io.rusm.internal.process.Deadlines.after(System.nanoTime(), timeout);
        Process started = startChildOnDemand(name, timeout);
        try {
            return doCall(started, name, name, request, left(deadline)); // the start spent part of the timeout
        } catch (CallTimeoutException e) {
            throw new CallTimeoutException(name, timeout); // the caller's timeout bounded start and call as a whole
        }
    }

    /** Calls one specific incarnation; fails with {@link NoProcessException} if it is not running. */
    public <R> R call(Pid pid, Object request, Duration timeout) {
        if (runtime.isRemote(pid)) {
            Route route = runtime.placement().route(pid.name());
            if (route == null) throw new NoProcessException(pid.toString());
            return remote(() -> route.call(pid.name(), pid, request, timeout));
        }
        return doCall(runtime.byPid(pid), pid.name(), pid.toString(), request, timeout);
    }

    public <R> R call(Pid pid, Object request) {
        return call(pid, request, defaultCallTimeout);
    }

    @SuppressWarnings("unchecked")
    private static <R> R keyedCall(io.rusm.internal.keyed.KeyedFamily family, String name, Object request, Duration timeout) {
        try {
            return (R) family.call(name, request, timeout);
        } catch (Throwable t) {
            throw Sneaky.<RuntimeException>rethrow(t);
        }
    }

    @SuppressWarnings("unchecked")
    private <R> R doCall(Process target, String service, String label, Object request, Duration timeout) {
        try {
            return (R) runtime.call(target, service, label, request, timeout);
        } catch (Throwable t) {
            throw Sneaky.<RuntimeException>rethrow(t);
        }
    }

    /** Like {@link #call(String, Object, Duration)} but returns at once with a future of the reply. */
    public <R> CompletableFuture<R> callAsync(String name, Object request, Duration timeout) {
        io.rusm.internal.keyed.KeyedFamily family = keyed.route(name);
        // a key always asks the cluster (it may live elsewhere); another name only when it does not run here
        Route route = family != null || runtime.byName(name) == null ? route(name) : null;
        if (route != null) {
            @SuppressWarnings("unchecked")
            CompletableFuture<R> f = (CompletableFuture<R>) (CompletableFuture<?>) route.callAsync(name, request, timeout);
            return f;
        }
        if (family != null) {
            @SuppressWarnings("unchecked")
            CompletableFuture<R> f = (CompletableFuture<R>) (CompletableFuture<?>) family.callAsync(name, request, timeout);
            return f;
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<R> f = (CompletableFuture<R>) (CompletableFuture<?>) runtime.callAsync(resolve(name, timeout), name, name, request, timeout);
        return f;
    }

    /**
     * Sends without waiting. Dropped (and reported to listeners) if no such process runs.
     *
     * @throws MailboxFullException if the mailbox is at capacity
     */
    public void send(String name, Object message) {
        io.rusm.internal.keyed.KeyedFamily family = keyed.route(name);
        Process running = family == null ? runtime.byName(name) : null;
        Route route = running == null ? route(name) : null; // as in callAsync
        if (route != null) route.send(name, message);
        else if (family != null) family.send(name, message);
        else runtime.send(running != null ? running : startChildOnDemand(name, defaultCallTimeout), name, message);
    }

    public void send(Pid pid, Object message) {
        runtime.send(runtime.byPid(pid), pid.name(), message);
    }

    /**
     * The process registered as {@code name}; a non-resident supervised child that is not running is
     * started first, through its supervisor (so concurrent first calls start it once), within the
     * caller's {@code timeout}: a {@link CallTimeoutException} then names {@code name}.
     */
    private Process resolve(String name, Duration timeout) {
        Process p = runtime.byName(name);
        return p != null ? p : startChildOnDemand(name, timeout);
    }

    /**
     * Starts the non-resident supervised child {@code name} now if it is not running, as its first
     * call would (through its supervisor, within {@code timeout}). Empty if no such child exists here,
     * or it may not start on this node (a cluster singleton another node owns), or it declined to start.
     * A key of a keyed service ({@code <service>/<key>}) is activated the same way; empty if another
     * node owns it.
     */
    public Optional<Pid> startOnDemand(String name, Duration timeout) {
        io.rusm.internal.keyed.KeyedFamily family = keyed.route(name);
        if (family != null) return activateKey(family, name, timeout);
        Process p = runtime.byName(name);
        if (p == null) p = startChildOnDemand(name, timeout);
        return p == null ? Optional.empty() : Optional.of(p.pid());
    }

    /**
     * A key's live process, activated as its first call would (a cluster's route calls it by pid).
     * Empty if it may not run on this node now; a failed start throws as a call would
     * ({@link NoProcessException} at once when the family itself is not running).
     */
    private Optional<Pid> activateKey(io.rusm.internal.keyed.KeyedFamily family, String name, Duration timeout) {
        Placement placement = runtime.placement();
        if (placement != null && !placement.mayStartHere(name)) return Optional.empty(); // another node owns it
        Process p = family.activate(name, io.rusm.internal.process.Deadlines.after(System.nanoTime(), timeout), timeout);
        return Optional.of(p.pid());
    }

    /** The keyed service whose key {@code name} is ({@code <service>/<key>}), if it is one. */
    public Optional<String> keyedServiceOf(String name) {
        io.rusm.internal.keyed.KeyedFamily family = keyed.route(name);
        return family == null ? Optional.empty() : Optional.of(family.name());
    }

    /**
     * Stops the running non-resident supervised child {@code name} through its supervisor: it drains
     * within its {@code shutdown-timeout}, ends with {@code shutdown} and stays idle, to be started
     * again by the next call. False if {@code name} is no such child.
     */
    public boolean idleOnDemand(String name, Duration timeout) {
        SupervisorBehavior supervisor = onDemand.supervisorOf(name);
        if (supervisor == null) return false;
        supervisor.idleOnDemand(name, timeout);
        return true;
    }

    /**
     * Starts the service {@code name} unless it runs; true if it runs afterwards. The one path by
     * which the node starts a service for work that did not come with a call (a due reminder of an
     * idle on-demand service); names of keyed services ({@code service/key}) are to be routed here.
     */
    private boolean startByName(String name) {
        if (runtime.byName(name) != null) return true;
        Placement placement = runtime.placement();
        // a cluster-placed service another node owns: its owner runs it and fires its reminders
        if (placement != null && !placement.mayStartHere(name)) return true;
        if (keyed.route(name) != null) { // a key of a keyed service: activated as its first call would
            try {
                return startOnDemand(name, defaultCallTimeout).isPresent();
            } catch (RuntimeException e) {
                return false;
            }
        }
        return startOnDemand(name, defaultCallTimeout).isPresent();
    }

    /** Starts {@code name} if it is a non-resident supervised child; null if it is not one or cannot be started now. */
    private Process startChildOnDemand(String name, Duration timeout) {
        SupervisorBehavior supervisor = onDemand.supervisorOf(name);
        if (supervisor == null) return null;
        Placement placement = runtime.placement();
        if (placement != null && !placement.mayStartHere(name)) return null; // another node owns it
        try {
            return runtime.byPid(supervisor.startOnDemand(name, timeout));
        } catch (NoProcessException e) {
            return null;
        }
    }

    // ---- monitors, links, exits -------------------------------------------------------------

    /**
     * {@code watcher} will receive one {@link Down} when {@code target} ends, for any reason; at once
     * with reason {@code noproc} if it is not running.
     */
    public MonitorRef monitor(Pid watcher, Pid target) {
        return runtime.monitor(watcher, target);
    }

    /** Monitors {@code target} from the calling process. */
    public MonitorRef monitor(Pid target) {
        return monitor(self("monitor"), target);
    }

    /** Removes a monitor; no {@code Down} is delivered for it afterwards. */
    public boolean demonitor(MonitorRef ref) {
        return runtime.demonitor(ref);
    }

    /**
     * Links two processes both ways: when one exits abnormally the other gets the exit signal (and
     * exits with the same reason unless it traps exits). Linking to a dead process signals
     * {@code noproc} at once.
     */
    public void link(Pid a, Pid b) {
        runtime.link(a, b);
    }

    /** Links the calling process with {@code other}. */
    public void link(Pid other) {
        link(self("link"), other);
    }

    public void unlink(Pid a, Pid b) {
        runtime.unlink(a, b);
    }

    /** Whether exit signals reaching {@code pid} arrive as {@link Exit} messages instead of killing it. */
    public void trapExits(Pid pid, boolean trap) {
        Process p = runtime.byPid(pid);
        if (p == null) throw new NoProcessException(pid.toString());
        p.trapExits(trap);
    }

    /** Sets exit trapping for the calling process. */
    public void trapExits(boolean trap) {
        trapExits(self("trapExits"), trap);
    }

    /**
     * Sends an exit signal as Erlang's {@code exit/2} does: {@link ExitReason#KILLED} is untrappable
     * and immediate; otherwise a process trapping exits receives an {@link Exit} message, and any
     * other process ignores {@code normal} and ends at once with any other reason.
     */
    public void exit(Pid pid, ExitReason reason) {
        runtime.exit(pid, reason);
    }

    /**
     * Kills {@code pid}: untrappable and immediate. The process is dead for everyone when this returns
     * (mailbox closed, pending callers failed, monitors and links notified), even if its handler code
     * ignores interruption.
     */
    public void kill(Pid pid) {
        exit(pid, ExitReason.KILLED);
    }

    /**
     * Stops {@code pid} gracefully: it accepts no new messages, handles what is queued, runs its
     * stop hook and ends with {@code shutdown}; if that takes longer than {@code drainTimeout} it is
     * killed. Returns how it ended.
     */
    public ExitReason stop(Pid pid, Duration drainTimeout) {
        return runtime.stop(pid, drainTimeout);
    }

    /**
     * Stops everything: top-level supervisors first, newest first, each stopping its children in
     * reverse start order; then every remaining process, draining in parallel. Whatever is still
     * running at {@code drainTimeout} is killed.
     */
    public void shutdown(Duration drainTimeout) {
        long deadline = io.rusm.internal.process.Deadlines.after(System.nanoTime(), drainTimeout);
        List<Supervisor> roots = List.copyOf(supervisors);
        for (int i = roots.size() - 1; i >= 0; i--) {
            runtime.stop(roots.get(i).pid(), left(deadline));
        }
        runtime.stopAll(left(deadline));
        // Exits are reported on rusm's event thread: let listeners hear the last of them before we return.
        try {
            runtime.listeners.awaitDelivered(Duration.ofNanos(Math.min(io.rusm.internal.process.Deadlines.remaining(deadline),
                    Duration.ofSeconds(5).toNanos())).plusMillis(100));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration left(long deadline) {
        return io.rusm.internal.process.Deadlines.left(deadline);
    }

    /** {@link #shutdown(Duration)} with a 5 s deadline. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    private static Pid self(String operation) {
        Process p = Current.orNull();
        if (p == null) {
            throw new IllegalStateException(operation + "(pid) without a watcher must be called from inside a process");
        }
        return p.pid();
    }

    /** For integrations inside rusm (supervisors, client proxies); not API. */
    public Runtime runtime() {
        return runtime;
    }

    @Override
    public String toString() {
        return "Node[" + name() + ", " + processCount() + " processes]";
    }
}
