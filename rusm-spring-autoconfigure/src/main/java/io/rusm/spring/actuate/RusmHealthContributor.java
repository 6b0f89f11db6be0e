package io.rusm.spring.actuate;

import org.jspecify.annotations.Nullable;

import io.rusm.ChildSnapshot;
import io.rusm.ChildSpec;
import io.rusm.ChildStatus;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.RestartType;
import io.rusm.SupervisorSpec;
import io.rusm.spring.RusmLifecycle;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code rusm} health contributor: the supervision tree as nested composites, services as
 * leaves. The shape comes from the configured tree (health groups validate member paths at
 * startup); each leaf reads the live state when asked.
 *
 * <p>A service is UP while its incarnation runs (or, on demand, before its first call) and DOWN
 * while it restarts, after its supervisor gave up or was killed, or when it is stopped although its
 * restart type wanted it running. A child that ended the way its restart type allows is not a
 * failure: a {@code temporary} child that ended (OTP removes it from its supervisor) and a
 * {@code transient} child that exited normally are UP with state {@code ended}, so one finished
 * job does not turn {@code /actuator/health} into 503 for good.
 */
public final class RusmHealthContributor {
    private RusmHealthContributor() {}

    public static CompositeHealthContributor of(SupervisorSpec root, RusmLifecycle lifecycle, Node node) {
        return of(root, lifecycle, node, null);
    }

    /** With a cluster: a {@code cluster} leaf beside the tree, and singletons shown where they run. */
    public static CompositeHealthContributor of(SupervisorSpec root, RusmLifecycle lifecycle, Node node, @Nullable ClusterHealthSource cluster) {
        return composite(root, List.of(), lifecycle, node, cluster);
    }

    private static CompositeHealthContributor composite(SupervisorSpec spec, List<String> path, RusmLifecycle lifecycle, Node node,
                                                        @Nullable ClusterHealthSource cluster) {
        Map<String, HealthContributor> children = new LinkedHashMap<>();
        if (path.isEmpty() && cluster != null) {
            children.put("cluster", (HealthIndicator) () -> (cluster.quorumMet() ? Health.up() : Health.down()).withDetails(cluster.details()).build());
        }
        for (ChildSpec child : spec.children()) {
            List<String> childPath = append(path, child.name());
            children.put(child.name(), child instanceof SupervisorSpec s
                    ? composite(s, childPath, lifecycle, node, cluster)
                    : new ServiceHealth(childPath, child.restart(), lifecycle, node, cluster));
        }
        return CompositeHealthContributor.fromMap(children);
    }

    private static List<String> append(List<String> path, String name) {
        var out = new java.util.ArrayList<>(path);
        out.add(name);
        return List.copyOf(out);
    }

    /** One service's health, looked up by its path from the root on every request. */
    private record ServiceHealth(List<String> path, RestartType restart, RusmLifecycle lifecycle, Node node,
                                 @Nullable ClusterHealthSource cluster) implements HealthIndicator {
        @Override
        public Health health() {
            Map<String, Object> placed = cluster == null ? null : cluster.singleton(path.getLast());
            if (placed != null && !Boolean.TRUE.equals(node.runtime().byName(path.getLast()) != null)) {
                // a singleton another node runs: UP here while its owner holds it
                return (Boolean.TRUE.equals(placed.get("running")) ? Health.up() : Health.down())
                        .withDetail("state", Boolean.TRUE.equals(placed.get("running")) ? "remote" : "moving").withDetails(placed).build();
            }
            Health local = localHealth();
            return placed == null ? local : Health.status(local.getStatus()).withDetails(local.getDetails()).withDetails(placed).build();
        }

        private Health localHealth() {
            var root = lifecycle.root();
            if (root == null) return Health.down().withDetail("state", "not started").build();
            ChildSnapshot.Supervisor tree = root.snapshot();
            boolean escalated = TreeLookup.escalatedOnPath(tree, path);
            // Live state only: a killed supervisor's child table is frozen, so nothing under it runs.
            // (One that escalated stopped its children itself: its table says what happened to each.)
            if (!escalated && !TreeLookup.supervisorsRunning(tree, path)) {
                return Health.down().withDetail("state", "not running").build();
            }
            ChildSnapshot snapshot = TreeLookup.find(tree, path);
            if (snapshot == null) {
                // A temporary child that ended is deleted from its supervisor, as OTP does.
                return restart == RestartType.TEMPORARY ? Health.up().withDetail("state", "ended").build()
                        : Health.down().withDetail("state", "not running").build();
            }
            boolean ended = snapshot.status() == ChildStatus.STOPPED && endedAsAllowed(snapshot.lastExitReason());
            // IDLE: a non-resident service not started yet is ready to serve (it starts on its first call).
            boolean up = ended || snapshot.status() == ChildStatus.RUNNING || snapshot.status() == ChildStatus.IDLE;
            Health.Builder b = up ? Health.up() : Health.down();
            b.withDetail("state", ended ? "ended" : snapshot.status().name().toLowerCase(java.util.Locale.ROOT));
            b.withDetail("restarts", snapshot.restarts());
            Object last = ExitReasons.describe(snapshot.lastExitReason());
            if (last != null) b.withDetail("lastExitReason", last);
            b.withDetail("mailboxSize", snapshot.pid() == null ? 0 : node.mailboxSize(snapshot.pid()));
            if (snapshot.pid() != null) {
                b.withDetail("incarnation", snapshot.pid().incarnation());
                b.withDetail("pid", snapshot.pid().toString());
            }
            // Escalated here or above: a supervisor that gives up stops its nested supervisors
            // gracefully, so the services under those read "stopped", yet they are down because of
            // the escalation all the same.
            if (escalated) b.withDetail("escalated", true);
            // A keyed service is one leaf for its whole family: counts, not a leaf per key.
            node.keyedStats(path.getLast()).ifPresent(k -> b.withDetail("keyed", KeyedDetails.of(k, node.name())));
            return b.build();
        }

        /** The ends its restart type does not restart: any end of a temporary, a normal one of a transient. */
        private boolean endedAsAllowed(ExitReason reason) {
            return restart == RestartType.TEMPORARY
                    || (restart == RestartType.TRANSIENT && reason != null && reason.isNormal());
        }
    }
}
