package io.rusm.demo;

import io.rusm.Node;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub's death must not orphan its subscribers: each subscriber monitors the hub, and when it
 * dies closes its SSE stream or WebSocket (so the client reconnects) and ends. Real SSE and
 * WebSocket clients; the subscriber processes are counted on the node. (Issue 17 item 10 measured
 * 500 subscribers; {@value #SSE} SSE and {@value #WS} WebSocket clients here keep CI quick and are
 * still every code path.) Its own application: the hub's restarts are asserted.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "demo.subscribers.keep-alive=1h") // no keep-alive round: the hub's Down alone must end them
@ActiveProfiles("demo")
@DirtiesContext
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DemoHubCrashEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    static final int SSE = 200;
    static final int WS = 20;

    @TempDir
    static Path kvDir;

    @DynamicPropertySource
    static void kvPath(DynamicPropertyRegistry registry) {
        registry.add("rusm.kv.path", () -> kvDir.resolve("kv").toString());
    }

    private static HttpClient streams;

    @LocalServerPort
    int port;

    @Autowired
    Node node;

    private DemoHttp http;

    @BeforeAll
    static void streamsClient() {
        streams = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void closeStreamsClient() {
        streams.shutdownNow();
    }

    @BeforeEach
    void client() {
        http = new DemoHttp(port);
    }

    @Test
    void aHubCrashClosesEveryStreamAndSocketAndEndsEverySubscriber() throws Exception {
        String topic = "news";
        int baseline = node.processCount();
        List<SseClient> sse = new ArrayList<>();
        List<WsClient> ws = new ArrayList<>();
        try {
            for (int i = 0; i < SSE; i++) sse.add(SseClient.open(streams, http.uri("/api/topics/" + topic + "/events")));
            for (int i = 0; i < WS; i++) ws.add(WsClient.connect(streams, wsUri(topic)));
            for (SseClient c : sse) assertThat(c.awaitSubscribed(WAIT)).isTrue();
            await("all subscribed").atMost(WAIT).until(() -> subscribers(topic) == SSE + WS);
            assertThat(node.processCount()).isEqualTo(baseline + SSE + WS);

            long restarts = http.restarts("hub");
            http.crashAndAwaitRestart("hub");
            assertThat(http.restarts("hub")).isEqualTo(restarts + 1);

            for (SseClient c : sse) {
                assertThat(c.awaitEnded(WAIT)).as("the server ended the stream, so EventSource reconnects").isTrue();
                assertThat(c.failure()).as("an orderly end of the stream, not an error").isNull();
            }
            for (WsClient c : ws) {
                assertThat(c.awaitClosedByServer(WAIT)).as("1012 service restart: reconnect").isEqualTo(1012);
            }
            await("every subscriber process ended").atMost(WAIT).until(node::processCount, n -> n == baseline);

            // The reconnect a browser makes subscribes to the new hub, and publishing reaches it.
            try (SseClient again = SseClient.open(streams, http.uri("/api/topics/" + topic + "/events"))) {
                assertThat(again.awaitSubscribed(WAIT)).isTrue();
                HttpResponse<String> published = http.post("/api/topics/" + topic, "after the crash");
                assertThat(DemoHttp.parse(published.body()).path("delivered").asInt()).isEqualTo(1);
                assertThat(DemoHttp.parse(again.next("message", WAIT).data()).path("payload").asString()).isEqualTo("after the crash");
            }
        } finally {
            for (SseClient c : sse) c.close();
            for (WsClient c : ws) c.close();
        }
    }

    @Test
    void crashingASupervisorIsRefusedWithAReasonAndKillingItRestartsItWithItsChildren() throws Exception {
        HttpResponse<String> crash = http.post("/demo/edge/crash");
        assertThat(crash.statusCode()).as(crash.body()).isEqualTo(409);
        JsonNode refused = DemoHttp.parse(crash.body());
        assertThat(refused.path("result").asString()).isEqualTo("refused");
        assertThat(refused.path("message").asString()).contains("supervisor", "exit signals", "/demo/edge/kill");

        try (WsClient socket = WsClient.connect(streams, wsUri("edge-topic"))) {
            await("subscribed").atMost(WAIT).until(() -> subscribers("edge-topic") == 1);
            String hubBefore = http.service("hub").orElseThrow().path("pid").asString();
            long edgeRestarts = supervisor("edge").path("restarts").asLong();

            HttpResponse<String> kill = http.post("/demo/edge/kill");
            assertThat(kill.statusCode()).as(kill.body()).isEqualTo(200);
            assertThat(DemoHttp.parse(kill.body()).path("result").asString()).isEqualTo("killed");

            await("edge restarted by the root, with a new hub").atMost(WAIT).untilAsserted(() -> {
                assertThat(supervisor("edge").path("restarts").asLong()).isEqualTo(edgeRestarts + 1);
                assertThat(supervisor("edge").path("state").asString()).isEqualTo("running");
                JsonNode hub = http.service("hub").orElseThrow();
                assertThat(hub.path("state").asString()).isEqualTo("running");
                assertThat(hub.path("pid").asString()).isNotEqualTo(hubBefore);
            });
            assertThat(socket.awaitClosedByServer(WAIT)).as("the hub died with its supervisor").isEqualTo(1012);
        }
    }

    private JsonNode supervisor(String name) {
        for (JsonNode child : http.json("/actuator/rusm").path("root").path("children")) {
            if (name.equals(child.path("name").asString())) return child;
        }
        throw new AssertionError("no supervisor " + name);
    }

    private int subscribers(String topic) {
        return http.json("/api/topics/" + topic).path("subscribers").asInt();
    }

    private URI wsUri(String topic) {
        return URI.create("ws://127.0.0.1:" + port + "/ws/topics/" + topic);
    }
}
