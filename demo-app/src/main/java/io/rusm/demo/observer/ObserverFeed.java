package io.rusm.demo.observer;

import io.rusm.ChildSpec;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.SupervisorSpec;
import io.rusm.event.CallOutcome;
import io.rusm.event.ProcessListener;
import io.rusm.spring.ResidentServices;
import io.rusm.spring.actuate.RusmEndpoint;
import jakarta.annotation.PreDestroy;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the observer page shows, pushed to it over Server-Sent Events ({@code GET /api/observer/events}),
 * never polled: every second the supervision tree and each service's calls per second and p99
 * latency in that second; at once, each crash, restart and escalation, for the page's timeline
 * per supervisor. A page that connects first gets the last minute ({@code history}).
 *
 * <p>The numbers come from the node's {@link ProcessListener} events, recorded in O(1) on the
 * fibers that produce them; all sending happens on one ticker thread.
 */
@RestController
@RequestMapping("/api/observer")
public class ObserverFeed implements ProcessListener {
    static final int WINDOW_SECONDS = 60;
    private static final int TIMELINE_KEPT = 200;

    private final Node node;
    private final ObjectProvider<RusmEndpoint> endpoint;
    /** Service name to the supervisor it runs under, from the configured tree. */
    private final Map<String, String> supervisorOf;
    private final Map<String, CallStats> calls = new ConcurrentHashMap<>();
    private final Set<SseEmitter> pages = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Map<String, Object>> pending = new ConcurrentLinkedQueue<>();
    // ticker thread only (and the history handed to a new page, under this lock)
    private final Deque<Map<String, Object>> lastMinute = new ArrayDeque<>();
    private final Deque<Map<String, Object>> timeline = new ArrayDeque<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("observer-feed").daemon().factory());

    public ObserverFeed(Node node, ResidentServices services, ObjectProvider<RusmEndpoint> endpoint) {
        this.node = node;
        this.endpoint = endpoint;
        this.supervisorOf = supervisors(services.supervisionTree());
        for (String service : services.definitions().keySet()) calls.put(service, new CallStats());
        node.addListener(this);
        ticker.scheduleAtFixedRate(this::second, 1, 1, TimeUnit.SECONDS);
        ticker.scheduleWithFixedDelay(this::flushTimeline, 100, 100, TimeUnit.MILLISECONDS);
    }

    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events() throws IOException {
        SseEmitter page = new SseEmitter(0L);
        Map<String, Object> history;
        synchronized (this) {
            history = Map.of("windowSeconds", WINDOW_SECONDS, "stats", List.copyOf(lastMinute), "timeline", List.copyOf(timeline));
        }
        page.send(SseEmitter.event().name("history").data(history));
        Map<String, Object> tree = tree();
        if (tree != null) page.send(SseEmitter.event().name("tree").data(tree));
        pages.add(page);
        page.onCompletion(() -> pages.remove(page));
        page.onError(e -> pages.remove(page));
        page.onTimeout(() -> pages.remove(page));
        return page;
    }

    // ---- fed by the node, on the fibers that produce the events: record, never block ----

    @Override
    public void callFinished(String service, Object message, long nanos, CallOutcome outcome) {
        CallStats stats = calls.get(service);
        if (stats != null) stats.record(nanos);
    }

    @Override
    public void exited(Pid pid, ExitReason reason) {
        if (!pid.isNamed() || reason.isNormal() || reason instanceof ExitReason.Escalated) return;
        String supervisor = supervisorOf.get(pid.name());
        if (supervisor == null) return; // a supervisor killed: its parent's restart says so
        event("crash", supervisor, pid.name(), pid.toString(), reason.label());
    }

    @Override
    public void restarted(String supervisor, Pid pid) {
        event("restart", supervisor, pid.name(), pid.toString(), "incarnation " + pid.incarnation());
    }

    @Override
    public void escalated(String supervisor, Pid supervisorPid) {
        event("escalation", supervisor, supervisor, String.valueOf(supervisorPid), "more restarts than its intensity allows");
    }

    private void event(String kind, String supervisor, String child, String pid, String detail) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("at", System.currentTimeMillis());
        e.put("kind", kind);
        e.put("supervisor", supervisor);
        e.put("child", child);
        e.put("pid", pid);
        e.put("detail", detail);
        pending.add(e);
    }

    // ---- the ticker thread ----

    private void flushTimeline() {
        for (Map<String, Object> e; (e = pending.poll()) != null; ) {
            synchronized (this) {
                timeline.addLast(e);
                if (timeline.size() > TIMELINE_KEPT) timeline.removeFirst();
            }
            push("timeline", e);
        }
    }

    private void second() {
        try {
            Map<String, Object> services = new LinkedHashMap<>();
            calls.forEach((name, stats) -> services.put(name, stats.drain()));
            Map<String, Object> point = Map.of("at", System.currentTimeMillis(), "services", services);
            synchronized (this) {
                lastMinute.addLast(point);
                if (lastMinute.size() > WINDOW_SECONDS) lastMinute.removeFirst();
            }
            push("stats", point);
            Map<String, Object> tree = tree();
            if (tree != null) push("tree", tree);
        } catch (RuntimeException e) {
            // the next second tries again; a ticker that died would freeze every page
        }
    }

    private Map<String, Object> tree() {
        RusmEndpoint e = endpoint.getIfAvailable();
        return e == null ? null : e.tree();
    }

    private void push(String name, Object data) {
        List<SseEmitter> gone = new ArrayList<>();
        for (SseEmitter page : pages) {
            try {
                page.send(SseEmitter.event().name(name).data(data));
            } catch (IOException | IllegalStateException e) {
                gone.add(page); // the page left
            }
        }
        gone.forEach(pages::remove);
    }

    private static Map<String, String> supervisors(SupervisorSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ChildSpec c : spec.children()) {
            if (c instanceof SupervisorSpec s) out.putAll(supervisors(s));
            else out.put(c.name(), spec.name());
        }
        return out;
    }

    /**
     * Ends the streams when the application closes, before any lifecycle stops: the web server's
     * graceful shutdown would otherwise wait its whole timeout for streams that never end.
     */
    @EventListener(ContextClosedEvent.class)
    void endStreams() {
        ticker.shutdownNow();
        for (SseEmitter page : pages) page.complete();
        pages.clear();
    }

    @PreDestroy
    void close() {
        node.removeListener(this);
        ticker.shutdownNow();
    }
}
