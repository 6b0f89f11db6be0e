package io.rusm.demo.chaos;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * DEMO CODE ONLY — never ship an endpoint like this. Crashes or kills a service so you can watch
 * its supervisor restart it (and, after a storm, escalate). Only exists with the {@code demo}
 * profile, which {@code ./dev demo} turns on.
 */
@Profile("demo")
@RestController
@RequestMapping("/demo")
class ChaosController {
    private final Node node;

    ChaosController(Node node) {
        this.node = node;
    }

    /** An exit signal with a crash reason: the service dies as if a handler had thrown. */
    @PostMapping("/{service}/crash")
    ResponseEntity<Map<String, String>> crash(@PathVariable String service) {
        return act(service, pid -> node.exit(pid, ExitReason.crashed(new DemoCrash(service))), "crashed");
    }

    /** Untrappable kill. */
    @PostMapping("/{service}/kill")
    ResponseEntity<Map<String, String>> kill(@PathVariable String service) {
        return act(service, node::kill, "killed");
    }

    private ResponseEntity<Map<String, String>> act(String service, java.util.function.Consumer<Pid> action, String what) {
        return node.whereis(service)
                .map(pid -> {
                    action.accept(pid);
                    return ResponseEntity.ok(Map.of("service", service, "pid", pid.toString(), "result", what));
                })
                .orElseGet(() -> ResponseEntity.status(503).body(Map.of("service", service, "result", "not running")));
    }

    /** The exception a demo crash carries, so logs and the page show where it came from. */
    static final class DemoCrash extends RuntimeException {
        DemoCrash(String service) {
            super("crash requested through the demo page for '" + service + "'");
        }
    }
}
