package io.rusm.demo.pubsub;

import io.rusm.Down;
import io.rusm.MonitorRef;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.ResidentService;
import io.rusm.demo.chaos.DemoCrash;
import jakarta.annotation.PostConstruct;
import org.springframework.beans.factory.annotation.Value;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Topics and their subscribers. Subscribers are processes the hub monitors: when one dies (its SSE
 * connection closed, its WebSocket went away, it crashed) the hub gets a {@link Down} and drops it,
 * so nothing has to remember to unsubscribe. Each subscriber monitors the hub in turn: when the hub
 * dies (crash, kill, restart) its table of subscribers dies with it, and every subscriber ends its
 * connection so the client reconnects to the new incarnation instead of waiting forever.
 *
 * <p>Every {@code demo.subscribers.keep-alive} the hub asks each subscriber to write a keep-alive, on a
 * timer of its own: it stops with the hub and a restarted hub starts it afresh, so there is never a
 * keep-alive round without a hub or a hub without one.
 */
@ResidentService("hub")
public class PubSubHub {
    private final Node node;
    private final Duration keepAliveEvery;
    private final Map<String, Set<Pid>> topics = new HashMap<>();
    private final Map<Pid, MonitorRef> monitors = new HashMap<>();
    private final Map<Pid, String> topicOf = new HashMap<>();

    public PubSubHub(Node node, @Value("${demo.subscribers.keep-alive:15s}") Duration keepAliveEvery) {
        this.node = node;
        this.keepAliveEvery = keepAliveEvery;
    }

    /** Runs on the hub's fiber as the incarnation starts: its keep-alive rounds belong to it. */
    @PostConstruct
    void startKeepAlive() {
        ProcessContext.timers().startFixedRate("keep-alive", keepAliveEvery, (Runnable) this::keepAlive);
    }

    /**
     * Subscribes a process to a topic (one topic per subscriber process). Returns this incarnation's
     * pid, for the subscriber to monitor: when the hub dies its subscriptions die with it, and a
     * subscriber that monitors the pid that took its subscription learns of it.
     */
    public Pid subscribe(String topic, Pid subscriber) {
        if (!topicOf.containsKey(subscriber)) {
            topics.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(subscriber);
            topicOf.put(subscriber, topic);
            monitors.put(subscriber, node.monitor(subscriber)); // Down(noproc) at once if it is already gone
        }
        return ProcessContext.self();
    }

    public void unsubscribe(Pid subscriber) {
        MonitorRef ref = monitors.remove(subscriber);
        if (ref != null) node.demonitor(ref);
        drop(subscriber);
    }

    /** Sends the message to every subscriber of the topic; returns how many it went to. */
    public int publish(String topic, String payload) {
        Set<Pid> subscribers = topics.getOrDefault(topic, Set.of());
        TopicMessage message = new TopicMessage(topic, payload, System.currentTimeMillis());
        for (Pid pid : subscribers) {
            node.send(pid, message); // a dead subscriber's message is dropped; its Down is on the way
        }
        return subscribers.size();
    }

    /** Asks every subscriber to write a keep-alive, so connections whose client left silently are noticed. */
    private void keepAlive() {
        for (Pid pid : topicOf.keySet()) node.send(pid, Subscribers.KeepAlive.INSTANCE);
    }

    public int subscribers(String topic) {
        return topics.getOrDefault(topic, Set.of()).size();
    }

    /** Subscriber counts per topic. */
    public Map<String, Integer> topics() {
        Map<String, Integer> out = new LinkedHashMap<>();
        topics.forEach((t, s) -> out.put(t, s.size()));
        return out;
    }

    /** A subscriber ended: forget it. */
    public void onDown(Down down) {
        monitors.remove(down.pid());
        drop(down.pid());
    }

    private void drop(Pid subscriber) {
        String topic = topicOf.remove(subscriber);
        if (topic == null) return;
        Set<Pid> set = topics.get(topic);
        if (set != null && set.remove(subscriber) && set.isEmpty()) topics.remove(topic);
    }

    /** DEMO ONLY: a handler that throws an undeclared exception, i.e. a crash (see the chaos endpoint). */
    public void crash(String why) {
        throw new DemoCrash(why);
    }
}
