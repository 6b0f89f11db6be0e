package io.rusm.spring.actuate;

import io.rusm.ChildSnapshot;
import io.rusm.ChildSpec;
import io.rusm.ChildStatus;
import io.rusm.Node;
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
 * <p>A service is UP while its incarnation runs and DOWN otherwise (restarting, stopped, escalated),
 * so an escalated subtree is DOWN while the rest of the tree stays truthful.
 */
public final class RusmHealthContributor {
    private RusmHealthContributor() {}

    public static CompositeHealthContributor of(SupervisorSpec root, RusmLifecycle lifecycle, Node node) {
        return composite(root, List.of(), lifecycle, node);
    }

    private static CompositeHealthContributor composite(SupervisorSpec spec, List<String> path, RusmLifecycle lifecycle, Node node) {
        Map<String, HealthContributor> children = new LinkedHashMap<>();
        for (ChildSpec child : spec.children()) {
            List<String> childPath = append(path, child.name());
            children.put(child.name(), child instanceof SupervisorSpec s
                    ? composite(s, childPath, lifecycle, node)
                    : new ServiceHealth(childPath, lifecycle, node));
        }
        return CompositeHealthContributor.fromMap(children);
    }

    private static List<String> append(List<String> path, String name) {
        var out = new java.util.ArrayList<>(path);
        out.add(name);
        return List.copyOf(out);
    }

    /** One service's health, looked up by its path from the root on every request. */
    private record ServiceHealth(List<String> path, RusmLifecycle lifecycle, Node node) implements HealthIndicator {
        @Override
        public Health health() {
            var root = lifecycle.root();
            ChildSnapshot.Supervisor tree = root == null ? null : root.snapshot();
            ChildSnapshot snapshot = tree == null ? null : TreeLookup.find(tree, path);
            if (snapshot == null) return Health.down().withDetail("state", "not started").build();
            // IDLE: a non-resident service not started yet is ready to serve (it starts on its first call).
            boolean up = snapshot.status() == ChildStatus.RUNNING || snapshot.status() == ChildStatus.IDLE;
            Health.Builder b = up ? Health.up() : Health.down();
            b.withDetail("state", snapshot.status().name().toLowerCase(java.util.Locale.ROOT));
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
            if (TreeLookup.escalatedOnPath(tree, path)) b.withDetail("escalated", true);
            return b.build();
        }
    }
}
