package io.rusm.demo.pubsub;

import io.rusm.Behavior;
import io.rusm.Down;
import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Short-lived subscriber processes for connections (SSE, WebSocket). Each connection gets its own
 * anonymous process that forwards topic messages to the connection; the connection's end ends the
 * process, and the hub's monitor drops it. The edges hold no state of their own.
 *
 * <p>A client that goes away silently (a closed browser tab, a dropped network) is only noticed
 * when something is written to its connection, so every {@code demo.subscribers.keep-alive} the hub
 * (on a timer it owns, see {@link PubSubHub}) asks each subscriber to write a keep-alive; the first
 * write that fails ends the subscriber.
 */
@Component
public class Subscribers {
    /** What a subscriber process writes to: one connection. Both methods run on the subscriber's fiber. */
    public interface Connection {
        /** Writes one topic message; an {@link IOException} means the client is gone. */
        void deliver(TopicMessage message) throws IOException;

        /** Writes something harmless, so that a client that left silently is noticed. */
        default void keepAlive() throws IOException {}

        /**
         * Ends the connection from the server's side because the hub that held the subscription
         * died: a browser's EventSource or a WebSocket client reconnects and subscribes afresh.
         */
        void close() throws IOException;
    }

    /** The message the hub sends each subscriber to make it write a keep-alive. */
    public enum KeepAlive { INSTANCE }

    private final Node node;
    private final HubClient hub;

    public Subscribers(Node node, HubClient hub) {
        this.node = node;
        this.hub = hub;
    }

    /**
     * Spawns a subscriber to {@code topic} that writes each message to {@code connection} on its fiber.
     * When a write fails (the client left) the subscriber ends with {@code shutdown}, a normal end for a
     * connection, not a crash, and the hub drops it.
     */
    public Pid subscribe(String topic, Connection connection) {
        Behavior forward = new Behavior() {
            private boolean gone;

            @Override
            public Object handle(Object message) {
                if (gone) return null; // draining what was queued before the stop
                try {
                    if (message instanceof TopicMessage m) connection.deliver(m);
                    else if (message == KeepAlive.INSTANCE) connection.keepAlive();
                    else if (message instanceof Down) { // the hub that held our subscription died
                        gone = true;
                        connection.close();
                        ProcessContext.stopSelf(ExitReason.SHUTDOWN);
                    }
                } catch (IOException | UncheckedIOException e) {
                    gone = true;
                    ProcessContext.stopSelf(ExitReason.SHUTDOWN);
                }
                return null;
            }
        };
        Pid pid = node.spawn(forward);
        try {
            Pid hubPid = hub.subscribe(topic, pid);
            // Monitor the incarnation that took the subscription: if it already died, the Down(noproc)
            // comes at once, so a subscription can never be lost unnoticed between the two calls.
            node.monitor(pid, hubPid);
        } catch (RuntimeException e) { // hub not running: no subscriber without a subscription
            node.exit(pid, ExitReason.SHUTDOWN);
            throw e;
        }
        return pid;
    }

    /** Ends a subscriber: the hub sees its Down and drops it. */
    public void end(Pid subscriber) {
        node.exit(subscriber, ExitReason.SHUTDOWN);
    }

}
