package io.rusm.demo.web;

import io.rusm.Pid;
import io.rusm.demo.pubsub.HubClient;
import io.rusm.demo.pubsub.Subscribers;
import io.rusm.demo.pubsub.TopicMessage;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pub/sub over HTTP: publish with POST, receive with Server-Sent Events. Each SSE connection is a
 * short-lived subscriber process; when the connection ends, the process ends and the hub drops it.
 */
@RestController
@RequestMapping("/api/topics")
class TopicController {
    private final HubClient hub;
    private final Subscribers subscribers;
    /** Open streams, only so that shutdown can end them (they never end on their own). */
    private final Set<SseEmitter> open = ConcurrentHashMap.newKeySet();

    TopicController(HubClient hub, Subscribers subscribers) {
        this.hub = hub;
        this.subscribers = subscribers;
    }

    @GetMapping(path = "/{topic}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String topic) throws IOException {
        SseEmitter emitter = new SseEmitter(0L); // no timeout: the connection lives until the client leaves
        Pid subscriber = subscribers.subscribe(topic, new Subscribers.Connection() {
            @Override
            public void deliver(TopicMessage m) throws IOException {
                emitter.send(SseEmitter.event().name("message").data(m));
            }

            @Override
            public void keepAlive() throws IOException {
                emitter.send(SseEmitter.event().comment("keep-alive")); // ignored by EventSource; fails if the client left
            }

            @Override
            public void close() {
                emitter.complete(); // the stream ends: EventSource reconnects (after its retry delay)
            }
        });
        open.add(emitter);
        Runnable end = () -> {
            open.remove(emitter);
            subscribers.end(subscriber);
        };
        emitter.onCompletion(end);
        emitter.onTimeout(end);
        emitter.onError(e -> end.run());
        emitter.send(SseEmitter.event().name("subscribed").data(Map.of("topic", topic, "subscriber", subscriber.toString())));
        return emitter;
    }

    /**
     * Ends every open stream when the application closes: otherwise the web server's graceful
     * shutdown waits its whole timeout for streams that never finish by themselves.
     * {@link ContextClosedEvent} comes before any lifecycle bean stops.
     */
    @EventListener(ContextClosedEvent.class)
    void endStreams() {
        for (SseEmitter emitter : open) emitter.complete();
        open.clear();
    }

    /** The payload is the body as is ({@code text/plain}, JSON, anything but a form). */
    @PostMapping("/{topic}")
    Map<String, Object> publish(@PathVariable String topic, @RequestBody String payload) {
        return Map.of("topic", topic, "delivered", hub.publish(topic, payload));
    }

    /** A form post ({@code curl -d payload=hello}): the payload is the {@code payload} field, decoded. */
    @PostMapping(path = "/{topic}", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    Map<String, Object> publishForm(@PathVariable String topic, @RequestParam MultiValueMap<String, String> form) {
        return publish(topic, FormBodies.field(form, "payload", "curl -d payload=hello"));
    }

    @GetMapping
    Map<String, Integer> topics() {
        return hub.topics();
    }

    @GetMapping("/{topic}")
    Map<String, Object> topic(@PathVariable String topic) {
        return Map.of("topic", topic, "subscribers", hub.subscribers(topic));
    }
}
