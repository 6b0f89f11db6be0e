package io.rusm.demo.web;

import io.rusm.Pid;
import io.rusm.demo.pubsub.HubClient;
import io.rusm.demo.pubsub.Subscribers;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

/**
 * {@code /ws/topics/{topic}}: text frames sent by the client are published to the topic; messages
 * on the topic come back as JSON frames. The connection's subscriber process lives as long as the
 * socket; the session attributes hold only its pid.
 */
@Configuration
@EnableWebSocket
class TopicWebSocket extends TextWebSocketHandler implements WebSocketConfigurer {
    private static final String SUBSCRIBER = "rusm.subscriber";
    private static final String TOPIC = "rusm.topic";

    private final HubClient hub;
    private final Subscribers subscribers;
    private final JsonMapper json = JsonMapper.builder().build();

    TopicWebSocket(HubClient hub, Subscribers subscribers) {
        this.hub = hub;
        this.subscribers = subscribers;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(this, "/ws/topics/*").setAllowedOriginPatterns("*");
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) {
        // Sends come from the subscriber's fiber; the decorator serializes them with any others.
        WebSocketSession session = new ConcurrentWebSocketSessionDecorator(raw, 5_000, 64 * 1024);
        String path = raw.getUri() == null ? "" : raw.getUri().getPath();
        String topic = path.substring(path.lastIndexOf('/') + 1);
        Pid pid = subscribers.subscribe(topic, new Subscribers.Connection() {
            @Override
            public void deliver(io.rusm.demo.pubsub.TopicMessage m) throws java.io.IOException {
                session.sendMessage(new TextMessage(json.writeValueAsString(m)));
            }

            @Override
            public void close() throws java.io.IOException {
                session.close(CloseStatus.SERVICE_RESTARTED); // 1012: the client should reconnect
            }
        });
        raw.getAttributes().put(SUBSCRIBER, pid);
        raw.getAttributes().put(TOPIC, topic);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        hub.publish((String) session.getAttributes().get(TOPIC), message.getPayload());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Object pid = session.getAttributes().get(SUBSCRIBER);
        if (pid instanceof Pid p) subscribers.end(p);
    }
}
