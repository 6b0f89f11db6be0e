package io.rusm.demo.pubsub;

import io.rusm.Behavior;
import io.rusm.Node;
import io.rusm.Pid;
import org.springframework.stereotype.Component;

import java.util.function.Consumer;

/**
 * Short-lived subscriber processes for connections (SSE, WebSocket). Each connection gets its own
 * anonymous process that forwards topic messages to the connection; the connection's end kills the
 * process, and the hub's monitor drops it. The edges hold no state of their own.
 */
@Component
public class Subscribers {
    private final Node node;
    private final HubClient hub;

    public Subscribers(Node node, HubClient hub) {
        this.node = node;
        this.hub = hub;
    }

    /**
     * Spawns a subscriber to {@code topic} that hands each message to {@code deliver} on its fiber.
     * If {@code deliver} throws (the connection broke), the subscriber crashes and is dropped.
     */
    public Pid subscribe(String topic, Consumer<TopicMessage> deliver) {
        Behavior forward = message -> {
            if (message instanceof TopicMessage m) deliver.accept(m);
            return null;
        };
        Pid pid = node.spawn(forward);
        hub.subscribe(topic, pid);
        return pid;
    }

    /** Ends a subscriber: the hub sees its Down and drops it. */
    public void end(Pid subscriber) {
        node.exit(subscriber, io.rusm.ExitReason.SHUTDOWN);
    }
}
