package io.rusm.demo.chaos;

import io.rusm.ChildSnapshot;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.RusmException;
import io.rusm.demo.cache.CacheClient;
import io.rusm.demo.counter.CounterClient;
import io.rusm.demo.durable.DurableCounterClient;
import io.rusm.demo.pubsub.HubClient;
import io.rusm.spring.RusmLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;
import java.util.function.Consumer;

/**
 * DEMO CODE ONLY — never ship an endpoint like this. Crashes or kills a service so you can watch
 * its supervisor restart it (and, after a storm, escalate). Only exists with the {@code demo}
 * profile, which {@code ./dev demo} turns on.
 *
 * <p>A crash is a real one: the service's {@code crash} handler throws, so it is logged once at
 * ERROR with its stack trace, as any crash is. A supervisor cannot be crashed that way (it traps
 * exit signals from processes other than its parent, as OTP's does): {@code crash} on a supervisor
 * answers 409 and says so; {@code kill} on it acts as OTP's {@code exit(Sup, kill)}: the supervisor
 * dies with its children, and its own supervisor restarts it.
 */
@Profile("demo")
@RestController
@RequestMapping("/demo")
class ChaosController {
    private final Node node;
    private final RusmLifecycle lifecycle;
    private final Map<String, Consumer<String>> crashers;

    ChaosController(Node node, RusmLifecycle lifecycle, CounterClient counter, DurableCounterClient durableCounter,
                    CacheClient cache, HubClient hub) {
        this.node = node;
        this.lifecycle = lifecycle;
        this.crashers = Map.of("counter", counter::crash, "durableCounter", durableCounter::crash,
                "cache", cache::crash, "hub", hub::crash);
    }

    /** The service's own handler throws: a crash with a stack trace, restarted per its restart type. */
    @PostMapping("/{service}/crash")
    ResponseEntity<Map<String, String>> crash(@PathVariable String service) {
        if (isSupervisor(service)) {
            return ResponseEntity.status(409).body(Map.of("service", service, "result", "refused",
                    "message", "'" + service + "' is a supervisor: it ignores exit signals from processes other than"
                            + " its parent, as an OTP supervisor does, so a crash request would do nothing."
                            + " Use POST /demo/" + service + "/kill to kill it (its children die with it and its"
                            + " supervisor restarts it)."));
        }
        Consumer<String> crasher = crashers.get(service);
        Pid pid = node.whereis(service).orElse(null);
        if (crasher == null || pid == null) return notRunning(service);
        try {
            crasher.accept("crash requested through the demo page for '" + service + "'");
        } catch (ProcessCrashedException expected) {
            // the call that made it crash learns of the crash at once, as every caller would
        } catch (RusmException e) {
            return notRunning(service);
        }
        return ResponseEntity.ok(Map.of("service", service, "pid", pid.toString(), "result", "crashed"));
    }

    /** Untrappable kill, of a service or of a supervisor (OTP's {@code exit(Pid, kill)}). */
    @PostMapping("/{service}/kill")
    ResponseEntity<Map<String, String>> kill(@PathVariable String service) {
        Pid pid = isSupervisor(service) ? supervisorPid(service) : node.whereis(service).orElse(null);
        if (pid == null) return notRunning(service);
        node.kill(pid);
        return ResponseEntity.ok(Map.of("service", service, "pid", pid.toString(), "result", "killed"));
    }

    private static ResponseEntity<Map<String, String>> notRunning(String service) {
        return ResponseEntity.status(503).body(Map.of("service", service, "result", "not running"));
    }

    private boolean isSupervisor(String name) {
        var root = lifecycle.root();
        return root != null && find(root.snapshot(), name) != null;
    }

    private Pid supervisorPid(String name) {
        var root = lifecycle.root();
        ChildSnapshot.Supervisor s = root == null ? null : find(root.snapshot(), name);
        return s == null ? null : s.pid();
    }

    private static ChildSnapshot.Supervisor find(ChildSnapshot.Supervisor s, String name) {
        if (s.name().equals(name)) return s;
        for (ChildSnapshot c : s.children()) {
            if (c instanceof ChildSnapshot.Supervisor nested) {
                ChildSnapshot.Supervisor found = find(nested, name);
                if (found != null) return found;
            }
        }
        return null;
    }
}
