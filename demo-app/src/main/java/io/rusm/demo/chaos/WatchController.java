package io.rusm.demo.chaos;

import io.rusm.Down;
import io.rusm.Node;
import io.rusm.Pid;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * DEMO CODE ONLY. {@code POST /demo/watch/{service}} starts a process on this node that monitors
 * the service's current incarnation, wherever in the cluster it runs; {@code GET} lists the
 * {@code Down}s it received (pid and reason), e.g. {@code crashed} when it crashes and
 * {@code noconnection} when its node is lost.
 */
@Profile("demo")
@RestController
@RequestMapping("/demo/watch")
class WatchController {
    private final Node node;
    private final Map<String, List<Map<String, String>>> downs = new ConcurrentHashMap<>();

    WatchController(Node node) {
        this.node = node;
    }

    @PostMapping("/{service}")
    ResponseEntity<Map<String, String>> watch(@PathVariable String service) {
        Pid target = node.whereis(service).orElse(null);
        if (target == null) return ResponseEntity.status(503).body(Map.of("service", service, "result", "not running"));
        List<Map<String, String>> seen = downs.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>());
        Pid watcher = node.spawn(message -> {
            if (message instanceof Down d) {
                seen.add(Map.of("pid", d.pid().toString(), "reason", d.reason().label()));
                io.rusm.ProcessContext.stopSelf(io.rusm.ExitReason.NORMAL); // one Down per watch
            }
            return null;
        });
        node.monitor(watcher, target);
        return ResponseEntity.ok(Map.of("service", service, "watching", target.toString(), "from", watcher.toString()));
    }

    @GetMapping("/{service}")
    List<Map<String, String>> downs(@PathVariable String service) {
        return downs.getOrDefault(service, List.of());
    }
}
