package io.rusm.spring.actuate;

import io.rusm.ChildSnapshot;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.internal.supervisor.SupervisorBehavior;
import io.rusm.spring.RusmLifecycle;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /actuator/rusm}: the whole supervision tree with pids, states, incarnations, restart
 * counts, last exit reasons, mailbox sizes and active timers ({@code GET}). Two write operations,
 * {@code POST /actuator/rusm/{service}/restart} and {@code POST /actuator/rusm/{service}/kill},
 * exist for operators but are off by default: the endpoint's default access is read-only, and they
 * only work with {@code management.endpoint.rusm.access=unrestricted} (secure that path, e.g. with
 * Spring Security's {@code EndpointRequest.to("rusm")}, before turning it on).
 */
@Endpoint(id = "rusm", defaultAccess = Access.READ_ONLY)
public class RusmEndpoint {
    private final RusmLifecycle lifecycle;
    private final Node node;
    private final @org.jspecify.annotations.Nullable ClusterHealthSource cluster;

    public RusmEndpoint(RusmLifecycle lifecycle, Node node) {
        this(lifecycle, node, null);
    }

    /** With a cluster: its members, and for each singleton the node that runs it and its epoch. */
    public RusmEndpoint(RusmLifecycle lifecycle, Node node, @org.jspecify.annotations.Nullable ClusterHealthSource cluster) {
        this.lifecycle = lifecycle;
        this.node = node;
        this.cluster = cluster;
    }

    @ReadOperation
    public Map<String, Object> tree() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", node.name());
        out.put("processes", node.processCount());
        if (cluster != null) out.put("cluster", cluster.details());
        var root = lifecycle.root();
        out.put("root", root == null ? null : render(root.snapshot()));
        return out;
    }

    /** {@code restart}: graceful stop and a fresh incarnation; {@code kill}: untrappable kill (restarted per policy). */
    @WriteOperation
    public Map<String, Object> operate(@Selector String service, @Selector String action) {
        var root = lifecycle.root();
        if (root == null) throw new IllegalStateException("rusm is not running");
        ChildSnapshot.Supervisor parent = parentOf(root.snapshot(), service);
        // The caller's mistakes are 400 Bad Request (InvalidEndpointRequestException), not 500.
        if (parent == null) throw badRequest("no service named '" + service + "'");
        Pid before = node.whereis(service).orElse(null);
        switch (action.toLowerCase(Locale.ROOT)) {
            case "kill" -> {
                if (before != null) node.kill(before);
            }
            case "restart" -> {
                if (parent.pid() == null) {
                    throw badRequest("the supervisor '" + parent.name() + "' of '" + service + "' is not running ("
                            + parent.status().name().toLowerCase(Locale.ROOT) + ")");
                }
                node.call(parent.pid(), new SupervisorBehavior.RestartChild(service), Duration.ofMinutes(1));
            }
            default -> throw badRequest("unknown action '" + action + "': use restart or kill");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", service);
        out.put("action", action);
        out.put("before", before == null ? null : before.toString());
        return out;
    }

    private static InvalidEndpointRequestException badRequest(String message) {
        return new InvalidEndpointRequestException(message, message);
    }

    private static ChildSnapshot.Supervisor parentOf(ChildSnapshot.Supervisor s, String name) {
        for (ChildSnapshot c : s.children()) {
            if (c.name().equals(name) && c instanceof ChildSnapshot.Worker) return s;
            if (c instanceof ChildSnapshot.Supervisor nested) {
                ChildSnapshot.Supervisor found = parentOf(nested, name);
                if (found != null) return found;
            }
        }
        return null;
    }

    private Map<String, Object> render(ChildSnapshot c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", c.name());
        out.put("type", c instanceof ChildSnapshot.Supervisor ? "supervisor" : "service");
        out.put("state", c.status().name().toLowerCase(Locale.ROOT));
        out.put("pid", c.pid() == null ? null : c.pid().toString());
        out.put("incarnation", c.pid() == null ? null : c.pid().incarnation());
        out.put("restarts", c.restarts());
        out.put("lastExitReason", ExitReasons.describe(c.lastExitReason()));
        switch (c) {
            case ChildSnapshot.Worker w -> {
                out.put("restart", w.restart().configName());
                out.put("mailboxSize", w.pid() == null ? 0 : node.mailboxSize(w.pid()));
                out.put("hibernating", w.pid() != null && node.isHibernating(w.pid())); // idle past hibernate-after: no fiber
                out.put("timers", w.pid() == null ? List.of() : node.timerKeys(w.pid()));
                long memory = w.pid() == null ? -1 : node.memoryBytes(w.pid());
                if (memory >= 0) out.put("memoryBytes", memory);
                node.keyedStats(w.name()).ifPresent(k -> out.put("keyed", KeyedDetails.of(k, node.name())));
                Map<String, Object> placed = cluster == null ? null : cluster.singleton(w.name());
                if (placed != null) out.put("cluster", placed);
            }
            case ChildSnapshot.Supervisor s -> {
                out.put("strategy", s.strategy().configName());
                out.put("intensity", s.intensity());
                out.put("period", s.period().toString());
                List<Object> children = new ArrayList<>();
                for (ChildSnapshot child : s.children()) children.add(render(child));
                out.put("children", children);
            }
        }
        return out;
    }
}
