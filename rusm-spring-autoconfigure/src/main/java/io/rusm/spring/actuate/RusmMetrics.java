package io.rusm.spring.actuate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ServiceDefinition;
import io.rusm.event.CallOutcome;
import io.rusm.event.ProcessListener;
import io.rusm.internal.service.Invocation;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * rusm's meters, fed by the node's {@link ProcessListener} events. Names are in {@link MetricNames}.
 *
 * <p>Tag values are bounded: {@code service} is a known component or supervisor name (anything else,
 * e.g. an anonymous process or an unknown name, is {@code other}); {@code method} is a declared
 * handler's name or {@code other}. No pid or incarnation is ever a tag. Gauges read the long-lived
 * {@link Node}, never a service instance that a restart would replace.
 */
public final class RusmMetrics implements ProcessListener, MeterBinder {
    static final String OTHER = "other";

    private final Node node;
    private final Map<String, ServiceDefinition> services;
    /** Services whose code runs in a program attached over the wire (no handler table here). */
    private final Set<String> external;
    private final Set<String> supervisors;
    private final Map<String, Long> memoryCapped;
    private volatile MeterRegistry registry;
    /** The call timers of the registry bound last (null before {@link #bindTo}). */
    private volatile CallTimers callTimers;
    private static final CallOutcome[] OUTCOMES = CallOutcome.values();

    /**
     * @param memoryCapped services with a memory cap (name to cap in bytes): they get a
     *                     {@value MetricNames#PROCESS_MEMORY} gauge
     */
    public RusmMetrics(Node node, Map<String, ServiceDefinition> services, Set<String> supervisors,
                       Map<String, Long> memoryCapped) {
        this(node, services, Set.of(), supervisors, memoryCapped);
    }

    /** @param external components declared {@code runtime: external}: tagged by name like the others */
    public RusmMetrics(Node node, Map<String, ServiceDefinition> services, Set<String> external, Set<String> supervisors,
                       Map<String, Long> memoryCapped) {
        this.node = node;
        this.services = Map.copyOf(services);
        this.external = Set.copyOf(external);
        this.supervisors = Set.copyOf(supervisors);
        this.memoryCapped = Map.copyOf(memoryCapped);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        this.callTimers = new CallTimers(registry);
        Gauge.builder(MetricNames.PROCESSES_LIVE, node, Node::processCount)
                .description("Live processes on the node, named and anonymous").register(registry);
        for (String service : serviceNames()) {
            Gauge.builder(MetricNames.MAILBOX_SIZE, node, n -> n.whereis(service).map(n::mailboxSize).orElse(0))
                    .tag("service", service).description("Messages waiting in the service's mailbox").register(registry);
            Gauge.builder(MetricNames.TIMERS_ACTIVE, node, n -> n.whereis(service).map(n::activeTimers).orElse(0))
                    .tag("service", service).description("Timers the service's running incarnation has active").register(registry);
        }
        for (var entry : memoryCapped.entrySet()) {
            String service = entry.getKey();
            Gauge.builder(MetricNames.PROCESS_MEMORY, node, n -> n.whereis(service).map(n::memoryBytes).filter(b -> b >= 0).orElse(0L))
                    .tag("service", service).baseUnit("bytes")
                    .description("Retained state of a memory-capped service at its last check").register(registry);
        }
        // Keyed services: counts per family, never a tag per key (cardinality).
        for (String service : node.keyedServices()) {
            Gauge.builder(MetricNames.KEYED_ACTIVE, node, n -> n.keyedStats(service).map(io.rusm.KeyedStats::liveKeys).orElse(0))
                    .tag("service", service).description("Keys of a keyed service with a live process on this node").register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder(MetricNames.KEYED_ACTIVATIONS, node,
                            n -> n.keyedStats(service).map(io.rusm.KeyedStats::activations).orElse(0L))
                    .tag("service", service).description("Keys of a keyed service started on demand by their first call").register(registry);
        }
        // Counters exist from the start at 0, so a dashboard or an alert on rate() sees the series
        // before the first event instead of "no data".
        for (String supervisor : supervisors) escalations(registry, supervisor);
        for (String service : serviceNames()) {
            for (String reason : SEND_DROP_REASONS) sendsDropped(registry, service, reason);
            ServiceDefinition def = services.get(service); // null for an external (wire) service: no reminders here
            if (def != null && def.handlerTable().find(io.rusm.internal.service.HandlerKey.of("onReminder", String.class)) != null) {
                for (String outcome : REMINDER_OUTCOMES) remindersFired(registry, service, outcome);
            }
        }
        node.addListener(this);
    }

    /** The reasons {@link ProcessListener#sendDropped} reports. */
    private static final java.util.List<String> SEND_DROP_REASONS = java.util.List.of("noproc", "exited");
    /** The outcomes {@link ProcessListener#reminderFired} reports. */
    private static final java.util.List<String> REMINDER_OUTCOMES = java.util.List.of("ok", "crashed");

    private static Counter escalations(MeterRegistry r, String supervisor) {
        return Counter.builder(MetricNames.ESCALATIONS).tag("supervisor", supervisor)
                .description("Supervisors that exceeded their restart intensity").register(r);
    }

    private static Counter sendsDropped(MeterRegistry r, String service, String reason) {
        return Counter.builder(MetricNames.SENDS_DROPPED).tag("service", service).tag("reason", reason)
                .description("Sent messages (casts) dropped because the service was not running").register(r);
    }

    @Override
    public void restarted(String supervisor, Pid pid) {
        MeterRegistry r = registry;
        if (r == null) return;
        Counter.builder(MetricNames.RESTARTS).tag("service", known(pid.name())).tag("supervisor", known(supervisor))
                .description("Restarts of a service by its supervisor").register(r).increment();
    }

    @Override
    public void exited(Pid pid, ExitReason reason) {
        MeterRegistry r = registry;
        if (r == null || reason.isNormal() || reason instanceof ExitReason.Escalated) return;
        Counter.builder(MetricNames.CRASHES).tag("service", known(pid.name())).tag("reason", reason.label())
                .description("Abnormal exits of a service, by exit reason").register(r).increment();
        if (reason instanceof ExitReason.Fenced) {
            Counter.builder("rusm.fenced").tag("service", known(pid.name()))
                    .description("Incarnations that lost ownership to a newer one in the cluster and ended fenced").register(r).increment();
        }
    }

    @Override
    public void escalated(String supervisor, Pid supervisorPid) {
        MeterRegistry r = registry;
        if (r == null) return;
        escalations(r, known(supervisor)).increment();
    }

    @Override
    public void callFinished(String service, Object message, long nanos, CallOutcome outcome) {
        recordCall(service, message, nanos, outcome, "local");
    }

    @Override
    public void remoteCallFinished(String service, Object message, long nanos, CallOutcome outcome) {
        recordCall(service, message, nanos, outcome, "remote");
    }

    /** {@code location}: served on this node, or on another node of the cluster. */
    private void recordCall(String service, Object message, long nanos, CallOutcome outcome, String location) {
        CallTimers timers = callTimers;
        if (timers == null) return;
        timers.of(known(service), method(service, message), outcome, location).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The {@value MetricNames#CALLS} timers of one registry, each found there once and then kept:
     * looked up per call, the builder sorted the four tags and hashed the meter id every time (JFR: a
     * visible share of an HTTP request through a service). The tag values are bounded (see the class
     * comment), so this is too.
     */
    private static final class CallTimers {
        private final MeterRegistry registry;
        /** service tag, then method tag, then one timer per outcome and location */
        private final Map<String, Map<String, AtomicReferenceArray<Timer>>> byService = new ConcurrentHashMap<>();

        CallTimers(MeterRegistry registry) {
            this.registry = registry;
        }

        Timer of(String service, String method, CallOutcome outcome, String location) {
            Map<String, AtomicReferenceArray<Timer>> byMethod = byService.get(service);
            if (byMethod == null) byMethod = byService.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
            AtomicReferenceArray<Timer> timers = byMethod.get(method);
            if (timers == null) timers = byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(OUTCOMES.length * 2));
            int slot = outcome.ordinal() * 2 + (location.equals("remote") ? 1 : 0);
            Timer timer = timers.get(slot);
            if (timer == null) {
                // register is idempotent: two racing callers get the same meter
                timer = Timer.builder(MetricNames.CALLS).tag("service", service).tag("method", method)
                        .tag("outcome", outcome.tag()).tag("location", location).description("Calls to services, as the caller saw them")
                        .register(registry);
                timers.set(slot, timer);
            }
            return timer;
        }
    }

    @Override
    public void reminderFired(String service, String reminder, String outcome) {
        MeterRegistry r = registry;
        if (r == null) return;
        remindersFired(r, known(service), outcome).increment();
    }

    private static Counter remindersFired(MeterRegistry r, String service, String outcome) {
        return Counter.builder(MetricNames.REMINDERS_FIRED).tag("service", service).tag("outcome", outcome)
                .description("Reminder due times delivered to a service's onReminder, by outcome").register(r);
    }

    @Override
    public void sendDropped(String service, Object message, String reason) {
        MeterRegistry r = registry;
        if (r == null) return;
        sendsDropped(r, known(service), reason).increment();
    }

    private java.util.List<String> serviceNames() {
        java.util.List<String> names = new java.util.ArrayList<>(services.keySet());
        names.addAll(external);
        return names;
    }

    private String known(String name) {
        if (services.containsKey(name) || external.contains(name) || supervisors.contains(name)) return name;
        // A key's process, <service>/<key>, counts for its keyed service: the key is never a tag.
        int slash = name.indexOf('/');
        if (slash > 0) {
            String service = name.substring(0, slash);
            if (services.containsKey(service) && node.keyedStats(service).isPresent()) return service;
        }
        return OTHER;
    }

    private String method(String service, Object message) {
        ServiceDefinition def = services.get(service);
        if (def != null && message instanceof Invocation inv && def.handlerTable().find(inv.handler()) != null) {
            return inv.method();
        }
        // an external service's Java callers name handlers through their client interfaces (a fixed set)
        if (external.contains(service) && message instanceof Invocation inv) return inv.method();
        return OTHER;
    }
}
