package io.rusm.spring;

import io.rusm.RestartType;
import io.rusm.Strategy;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code rusm.*} configuration tree: the root supervisor, optional nested supervisors and one
 * entry per component (resident service). Map keys keep their declaration order, which is the
 * order children start in.
 */
@ConfigurationProperties("rusm")
public class RusmProperties {

    /** Whether rusm starts its node and services at all. */
    private boolean enabled = true;

    /** Default call timeout for every component's client. */
    private Duration callTimeout = Duration.ofSeconds(5);

    /**
     * How long a service may idle (mailbox empty, no handler running) before it hibernates: its
     * fiber ends and its stack is freed; the service keeps its state and the next message starts a
     * fresh fiber. 0: whenever its mailbox runs empty; a long duration such as 365d: in effect never.
     */
    private Duration hibernateAfter = io.rusm.Node.DEFAULT_HIBERNATE_AFTER;

    /** The root supervisor, named {@code rusm}. */
    private final Root supervisor = new Root();

    /** Nested supervisors by name; each is a child of the root unless it names another parent. */
    private Map<String, Nested> supervisors = new LinkedHashMap<>();

    /** Components (resident services) by name, as given in {@code @ResidentService}. */
    private Map<String, Component> components = new LinkedHashMap<>();

    /** The durable Kv store injected into services. */
    private final Kv kv = new Kv();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getCallTimeout() {
        return callTimeout;
    }

    public void setCallTimeout(Duration callTimeout) {
        this.callTimeout = callTimeout;
    }

    public Duration getHibernateAfter() {
        return hibernateAfter;
    }

    public void setHibernateAfter(Duration hibernateAfter) {
        this.hibernateAfter = hibernateAfter;
    }

    public Root getSupervisor() {
        return supervisor;
    }

    public Map<String, Nested> getSupervisors() {
        return supervisors;
    }

    public void setSupervisors(Map<String, Nested> supervisors) {
        this.supervisors = supervisors;
    }

    public Map<String, Component> getComponents() {
        return components;
    }

    public void setComponents(Map<String, Component> components) {
        this.components = components;
    }

    public Kv getKv() {
        return kv;
    }

    /** What the application does when the root supervisor escalates. */
    public enum OnRootEscalation {
        /** Mark liveness BROKEN (and rusm health DOWN) so the platform restarts the instance. */
        MARK_BROKEN,
        /** Close the application context. */
        SHUTDOWN
    }

    /** Settings every supervisor has. */
    public static class SupervisorSettings {
        /** Which children restart together when one of them is restarted. */
        private Strategy strategy = Strategy.ONE_FOR_ONE;

        /** Restarts allowed within the period; one more makes the supervisor escalate. */
        private int intensity = 3;

        /** The sliding window in which restarts are counted. */
        private Duration period = Duration.ofSeconds(5);

        public Strategy getStrategy() {
            return strategy;
        }

        public void setStrategy(Strategy strategy) {
            this.strategy = strategy;
        }

        public int getIntensity() {
            return intensity;
        }

        public void setIntensity(int intensity) {
            this.intensity = intensity;
        }

        public Duration getPeriod() {
            return period;
        }

        public void setPeriod(Duration period) {
            this.period = period;
        }
    }

    /** The root supervisor. */
    public static class Root extends SupervisorSettings {
        /** What happens when the root supervisor escalates. */
        private OnRootEscalation onRootEscalation = OnRootEscalation.MARK_BROKEN;

        public OnRootEscalation getOnRootEscalation() {
            return onRootEscalation;
        }

        public void setOnRootEscalation(OnRootEscalation onRootEscalation) {
            this.onRootEscalation = onRootEscalation;
        }
    }

    /** A nested supervisor. */
    public static class Nested extends SupervisorSettings {
        /** Its parent supervisor; the root when unset. */
        private @Nullable String supervisor;

        /** Its restart type under its parent. */
        private RestartType restart = RestartType.PERMANENT;

        public @Nullable String getSupervisor() {
            return supervisor;
        }

        public void setSupervisor(@Nullable String supervisor) {
            this.supervisor = supervisor;
        }

        public RestartType getRestart() {
            return restart;
        }

        public void setRestart(RestartType restart) {
            this.restart = restart;
        }
    }

    /** One component: a resident service and how it is supervised. */
    public static class Component {
        /** Spawned and supervised at startup; when false, spawned on its first call. */
        private boolean resident = true;

        /** The supervisor it runs under; the root when unset. */
        private @Nullable String supervisor;

        /** When it is restarted after it exits. */
        private RestartType restart = RestartType.PERMANENT;

        /** Retained-state cap in megabytes; past it the incarnation crashes with memoryLimit. Unset: no cap. */
        private @Nullable Integer maxMemoryMb;

        /** Messages that may wait in its mailbox before callers get MailboxFullException. */
        private int mailboxCapacity = 10_000;

        /** Call timeout for this component's client; rusm.call-timeout when unset. */
        private @Nullable Duration callTimeout;

        /** Drain deadline on graceful stop, after which the service is killed. */
        private Duration shutdownTimeout = Duration.ofSeconds(5);

        /**
         * What runs it: a @ResidentService class (java), or a program attached over the wire (external:
         * rusm-host running a TypeScript module; needs io.rusm:rusm-wire and rusm.wire.port).
         */
        private ComponentRuntime runtime = ComponentRuntime.JAVA;

        /**
         * Where it runs: one per node (node), once per cluster on the member owning its name
         * (singleton; needs rusm.cluster.enabled, else it is one per node), or one process per key,
         * started on demand and stopped when idle (keyed).
         */
        private Placement placement = Placement.NODE;

        /** Keyed components: a key with no message for this long is stopped gracefully (its state comes back from Kv). */
        private Duration idleTimeout = io.rusm.KeyedSpec.DEFAULT_IDLE_TIMEOUT;

        /** Idle time before its fiber ends until the next message (its state stays); rusm.hibernate-after when unset. */
        private @Nullable Duration hibernateAfter;

        public Placement getPlacement() {
            return placement;
        }

        public void setPlacement(Placement placement) {
            this.placement = placement;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public @Nullable Duration getHibernateAfter() {
            return hibernateAfter;
        }

        public void setHibernateAfter(@Nullable Duration hibernateAfter) {
            this.hibernateAfter = hibernateAfter;
        }

        public ComponentRuntime getRuntime() {
            return runtime;
        }

        public void setRuntime(ComponentRuntime runtime) {
            this.runtime = runtime;
        }

        public boolean isResident() {
            return resident;
        }

        public void setResident(boolean resident) {
            this.resident = resident;
        }

        public @Nullable String getSupervisor() {
            return supervisor;
        }

        public void setSupervisor(@Nullable String supervisor) {
            this.supervisor = supervisor;
        }

        public RestartType getRestart() {
            return restart;
        }

        public void setRestart(RestartType restart) {
            this.restart = restart;
        }

        public @Nullable Integer getMaxMemoryMb() {
            return maxMemoryMb;
        }

        public void setMaxMemoryMb(@Nullable Integer maxMemoryMb) {
            this.maxMemoryMb = maxMemoryMb;
        }

        public int getMailboxCapacity() {
            return mailboxCapacity;
        }

        public void setMailboxCapacity(int mailboxCapacity) {
            this.mailboxCapacity = mailboxCapacity;
        }

        public @Nullable Duration getCallTimeout() {
            return callTimeout;
        }

        public void setCallTimeout(@Nullable Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        public Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }
    }

    /** The durable Kv store ({@code io.rusm.Kv}) that services get injected. */
    public static class Kv {
        /** Directory of the embedded store (one file, rusm-kv.mv.db); created when first used. */
        private String path = "./rusm-data";

        /** Which store backs Kv: the embedded file under rusm.kv.path, or a table in the application's DataSource. */
        private KvStoreType store = KvStoreType.EMBEDDED;

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public KvStoreType getStore() {
            return store;
        }

        public void setStore(KvStoreType store) {
            this.store = store;
        }
    }

    /** Where a component's incarnations run. */
    public enum Placement {
        /** One incarnation per node (the default); a name resolves locally. */
        NODE,
        /** One incarnation per cluster, on the member owning the name (needs the cluster, rusm-cluster). */
        SINGLETON,
        /**
         * One process per key, named {@code <component>/<key>}, started by its first call, stopped after
         * idle-timeout; clients name the key with {@code @Key} or are bound to one.
         */
        KEYED
    }

    /** What runs a component. */
    public enum ComponentRuntime {
        /** A {@code @ResidentService} class in this application. */
        JAVA,
        /** A program attached over the wire (rusm-wire), e.g. {@code rusm-host counter.ts}. */
        EXTERNAL
    }

    /** Where Kv entries are kept. */
    public enum KvStoreType {
        /** An H2 MVStore file under rusm.kv.path; no setup. */
        EMBEDDED,
        /** The table rusm_kv in the application's DataSource (created on startup if missing). */
        JDBC
    }
}
