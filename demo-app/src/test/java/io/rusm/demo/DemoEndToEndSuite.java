package io.rusm.demo;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo app end to end, as its users reach it: driven over real HTTP, Server-Sent Events and
 * WebSocket clients from {@code java.net.http}, with the {@code demo} profile's chaos endpoints
 * ({@code /demo/{service}/crash}). The same suite runs against the app in this JVM
 * ({@link DemoAppEndToEndTest}) and against the packaged jar in AOT mode in a JVM of its own
 * ({@link DemoAotModeEndToEndIT}). Each subclass runs one application for all its methods, so
 * restart counts are asserted relative to what a method found, or for services no other method
 * crashes; the application runs with {@code demo.subscribers.keep-alive=200ms} and
 * {@code rusm.supervisor.intensity=50} ({@link #PROPERTIES}).
 */
abstract class DemoEndToEndSuite {
    /** Disconnected SSE clients are noticed on the next keep-alive; the methods' crashes must not add up to an escalation. */
    static final String[] PROPERTIES = {"demo.subscribers.keep-alive=200ms", "rusm.supervisor.intensity=50"};

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** One client for all SSE streams: HTTP/1.1, so each stream is its own connection. */
    private static HttpClient streams;

    /** The port the demo under test listens on. */
    abstract int port();

    /** A demo crash is the service's own: one ERROR line for it, then its stack trace, in {@code log}. */
    static void assertCrashLoggedWithItsStackTrace(String log, String service, String crashingClass) {
        String crash = log.lines().dropWhile(l -> !(l.contains("ERROR") && l.contains("component '" + service + "'")))
                .limit(4).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(crash).as(log).contains("crashed: io.rusm.demo.chaos.DemoCrash: crash requested")
                .contains("at " + crashingClass + ".crash(");
    }

    DemoHttp http;

    @BeforeAll
    static void streamsClient() {
        streams = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void closeStreamsClient() {
        streams.shutdownNow();
    }

    @BeforeEach
    void client() {
        http = new DemoHttp(port());
    }

    // ---------------------------------------------------------------- counter


    @Test
    void counterStateResetsWhenItCrashesAndTheSupervisorCountsTheRestart() {
        assertThat(http.restarts("counter")).isZero();
        assertThat(http.service("counter").orElseThrow().path("state").asString()).isEqualTo("running");

        assertThat(http.post("/api/counter/bump?by=5").body()).isEqualTo("{\"value\":5}");
        assertThat(http.post("/api/counter/bump").body()).isEqualTo("{\"value\":6}");
        assertThat(http.json("/api/counter").path("value").asLong()).isEqualTo(6);

        HttpResponse<String> crash = http.post("/demo/counter/crash");
        assertThat(crash.statusCode()).isEqualTo(200);
        assertThat(DemoHttp.parse(crash.body()).path("result").asString()).isEqualTo("crashed");

        await("counter restarted").atMost(WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            JsonNode counter = http.service("counter").orElseThrow();
            assertThat(counter.path("restarts").asLong()).isEqualTo(1);
            assertThat(counter.path("state").asString()).isEqualTo("running");
            assertThat(counter.path("incarnation").asLong()).isGreaterThan(1);
        });
        JsonNode counter = http.service("counter").orElseThrow();
        assertThat(counter.path("lastExitReason").path("reason").asString()).isEqualTo("crashed");
        assertThat(counter.path("lastExitReason").path("message").asString()).contains("counter");

        // a fresh incarnation: fresh state
        assertThat(http.json("/api/counter").path("value").asLong()).isZero();
        assertThat(http.post("/api/counter/bump").body()).isEqualTo("{\"value\":1}");
        // one crash is well inside the intensity: nothing escalated, the app is healthy
        assertThat(http.json("/actuator/health/rusm").path("status").asString()).isEqualTo("UP");
        assertThat(http.json("/actuator/health/liveness").path("status").asString()).isEqualTo("UP");
    }

    @Test
    void durableCounterKeepsItsValueWhenItCrashesAndWhenItIsKilled() {
        long before = http.json("/api/durable-counter").path("value").asLong();
        assertThat(http.post("/api/durable-counter/bump?by=3").statusCode()).isEqualTo(200);
        assertThat(http.post("/api/durable-counter/bump?by=4").statusCode()).isEqualTo(200);
        long value = before + 7;
        assertThat(http.json("/api/durable-counter").path("value").asLong()).isEqualTo(value);

        long restarts = http.restarts("durableCounter");
        assertThat(http.post("/demo/durableCounter/crash").statusCode()).isEqualTo(200);
        await("durable counter restarted after a crash").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> http.restarts("durableCounter") == restarts + 1
                        && "running".equals(http.service("durableCounter").orElseThrow().path("state").asString()));
        // a fresh instance, but its state was read back from Kv
        assertThat(http.json("/api/durable-counter").path("value").asLong()).isEqualTo(value);

        assertThat(http.post("/demo/durableCounter/kill").statusCode()).isEqualTo(200);
        await("durable counter restarted after a kill").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> http.restarts("durableCounter") == restarts + 2
                        && "running".equals(http.service("durableCounter").orElseThrow().path("state").asString()));
        assertThat(http.json("/api/durable-counter").path("value").asLong()).isEqualTo(value);
        assertThat(http.post("/api/durable-counter/bump").body()).isEqualTo("{\"value\":" + (value + 1) + "}");
    }

    @Test
    void aBumpThatWouldOverflowIsA400AndNothingIsKeptOrPersisted() {
        long counter = http.json("/api/counter").path("value").asLong();
        assertThat(http.post("/api/counter/bump?by=" + (Long.MAX_VALUE - counter)).statusCode()).isEqualTo(200);
        HttpResponse<String> over = http.post("/api/counter/bump?by=" + Long.MAX_VALUE);
        assertThat(over.statusCode()).as(over.body()).isEqualTo(400);
        assertThat(DemoHttp.parse(over.body()).path("detail").asString()).contains("overflow");
        assertThat(http.json("/api/counter").path("value").asLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(http.post("/api/counter/reset").statusCode()).isEqualTo(200);

        long durable = http.json("/api/durable-counter").path("value").asLong();
        long restarts = http.restarts("durableCounter");
        assertThat(http.post("/api/durable-counter/bump?by=" + Long.MIN_VALUE).statusCode()).isEqualTo(200);
        HttpResponse<String> under = http.post("/api/durable-counter/bump?by=" + Long.MIN_VALUE);
        assertThat(under.statusCode()).as(under.body()).isEqualTo(400);
        assertThat(http.restarts("durableCounter")).as("the caller's mistake, not a crash").isEqualTo(restarts);
        // What Kv holds: a fresh incarnation reads it back; the refused bump was never written.
        http.crashAndAwaitRestart("durableCounter");
        assertThat(http.json("/api/durable-counter").path("value").asLong()).isEqualTo(durable + Long.MIN_VALUE);
        assertThat(http.post("/api/durable-counter/bump?by=" + Long.MAX_VALUE).statusCode()).isEqualTo(200);
        assertThat(http.post("/api/durable-counter/bump?by=1").body()).isEqualTo("{\"value\":" + durable + "}");
    }

    @Test
    void aCacheTtlTooLargeToExpireIsA400AndNotStored() {
        HttpResponse<String> r = http.put("/api/cache/forever?ttlMillis=" + Long.MAX_VALUE, "never readable");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(DemoHttp.parse(r.body()).path("detail").asString()).contains("ttlMillis must be at most");
        assertThat(http.get("/api/cache/forever").statusCode()).isEqualTo(404);
        assertThat(http.put("/api/cache/year?ttlMillis=" + Duration.ofDays(365).toMillis(), "a year").statusCode()).isEqualTo(200);
        assertThat(http.json("/api/cache/year").path("value").asString()).isEqualTo("a year");
        assertThat(http.delete("/api/cache/year").statusCode()).isEqualTo(204);
    }

    @Test
    void curlDashDFormPostsWorkOnTheCacheAndTopicEndpoints() throws Exception {
        // What `curl -X PUT -d value=one` and `curl -d payload=hello` send.
        HttpResponse<String> put = http.form("PUT", "/api/cache/from-curl?ttlMillis=60000", "value=one+two%21");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(http.json("/api/cache/from-curl").path("value").asString()).isEqualTo("one two!");
        assertThat(http.delete("/api/cache/from-curl").statusCode()).isEqualTo(204);

        try (SseClient sse = SseClient.open(streams, http.uri("/api/topics/curl/events"))) {
            assertThat(sse.awaitSubscribed(WAIT)).isTrue();
            HttpResponse<String> published = http.form("POST", "/api/topics/curl", "payload=hello+curl");
            assertThat(DemoHttp.parse(published.body()).path("delivered").asInt()).isEqualTo(1);
            assertThat(DemoHttp.parse(sse.next("message", WAIT).data()).path("payload").asString()).isEqualTo("hello curl");
        }
        // `curl -d hello`: a form without the field is a 400 that says how to send it
        HttpResponse<String> bare = http.form("POST", "/api/topics/curl", "hello");
        assertThat(bare.statusCode()).isEqualTo(400);
        assertThat(DemoHttp.parse(bare.body()).path("detail").asString()).contains("payload=", "text/plain");
    }

    @Test
    void chaosEndpointAnswers503ForAnUnknownService() {
        HttpResponse<String> r = http.post("/demo/no-such-service/crash");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(DemoHttp.parse(r.body()).path("result").asString()).isEqualTo("not running");
    }

    // ---------------------------------------------------------------- cache

    @Test
    void cacheGetPutDeleteAndABadTtlIsTheCallersErrorNotACrash() {
        assertThat(http.get("/api/cache/alpha").statusCode()).isEqualTo(404);

        HttpResponse<String> put = http.put("/api/cache/alpha", "one");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(DemoHttp.parse(put.body()).path("value").asString()).isEqualTo("one");
        assertThat(http.put("/api/cache/beta?ttlMillis=600000", "two").statusCode()).isEqualTo(200);

        assertThat(http.json("/api/cache/alpha").path("value").asString()).isEqualTo("one");
        assertThat(http.json("/api/cache/beta").path("value").asString()).isEqualTo("two");
        assertThat(http.json("/api/cache").path("size").asInt()).isEqualTo(2);

        // a declared exception: 400 for the caller, and the cache keeps running with its entries
        for (String badTtl : List.of("0", "-5")) {
            HttpResponse<String> bad = http.put("/api/cache/gamma?ttlMillis=" + badTtl, "three");
            assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
            assertThat(DemoHttp.parse(bad.body()).path("detail").asString()).contains("ttlMillis");
        }
        assertThat(http.json("/api/cache").path("size").asInt()).isEqualTo(2);
        assertThat(http.json("/api/cache/alpha").path("value").asString()).isEqualTo("one");
        assertThat(http.get("/api/cache/gamma").statusCode()).isEqualTo(404);
        assertThat(http.restarts("cache")).isZero();

        assertThat(http.delete("/api/cache/alpha").statusCode()).isEqualTo(204);
        assertThat(http.get("/api/cache/alpha").statusCode()).isEqualTo(404);
        assertThat(http.delete("/api/cache/alpha").statusCode()).isEqualTo(404);
        assertThat(http.json("/api/cache").path("size").asInt()).isEqualTo(1);
    }

    @Test
    void cacheEntriesExpireAfterTheirTtl() {
        assertThat(http.put("/api/cache/short-lived?ttlMillis=100", "soon gone").statusCode()).isEqualTo(200);
        await("entry expired").atMost(WAIT).pollInterval(Duration.ofMillis(25))
                .until(() -> http.get("/api/cache/short-lived").statusCode() == 404);
    }

    // ---------------------------------------------------------------- pub/sub over SSE and WebSocket

    @Test
    void hundredSseClientsSubscribeReceiveAndAreDroppedWhenTheyDisconnect() throws Exception {
        String topic = "crowd";
        int clients = 100;
        List<SseClient> sse = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) sse.add(SseClient.open(streams, http.uri("/api/topics/" + topic + "/events")));
            for (SseClient c : sse) {
                assertThat(c.awaitSubscribed(WAIT)).as("subscribed event (status %s, failure %s)", c.status(), c.failure()).isTrue();
            }
            await("hub counts every SSE subscriber").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> subscribers(topic) == clients);
            assertThat(http.json("/api/topics").path(topic).asInt()).isEqualTo(clients);

            HttpResponse<String> published = http.post("/api/topics/" + topic, "hello crowd");
            assertThat(DemoHttp.parse(published.body()).path("delivered").asInt()).isEqualTo(clients);
            for (SseClient c : sse) {
                SseClient.Event e = c.next("message", WAIT);
                assertThat(e).as("message on every stream").isNotNull();
                JsonNode m = DemoHttp.parse(e.data());
                assertThat(m.path("topic").asString()).isEqualTo(topic);
                assertThat(m.path("payload").asString()).isEqualTo("hello crowd");
            }
        } finally {
            for (SseClient c : sse) c.close();
        }
        await("hub drops every disconnected subscriber").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> subscribers(topic) == 0);
        assertThat(http.json("/api/topics").has(topic)).isFalse();
        assertThat(http.restarts("hub")).isZero();
    }

    @Test
    void aWebSocketTextFrameIsPublishedToSseSubscribers() throws Exception {
        String topic = "from-ws";
        List<SseClient> sse = new ArrayList<>();
        try (WsClient ws = WsClient.connect(streams, wsUri(topic))) {
            for (int i = 0; i < 3; i++) sse.add(SseClient.open(streams, http.uri("/api/topics/" + topic + "/events")));
            for (SseClient c : sse) assertThat(c.awaitSubscribed(WAIT)).isTrue();
            await("3 SSE + 1 WebSocket subscriber").atMost(WAIT).until(() -> subscribers(topic) == 4);

            ws.sendText("typed into a socket");

            for (SseClient c : sse) {
                SseClient.Event e = c.next("message", WAIT);
                assertThat(e).as("SSE subscriber got the WebSocket's message").isNotNull();
                assertThat(DemoHttp.parse(e.data()).path("payload").asString()).isEqualTo("typed into a socket");
            }
            // the socket is itself a subscriber of its topic: it hears its own message too
            String echo = ws.next(WAIT);
            assertThat(echo).isNotNull();
            assertThat(DemoHttp.parse(echo).path("payload").asString()).isEqualTo("typed into a socket");
        } finally {
            for (SseClient c : sse) c.close();
        }
        await("all dropped").atMost(WAIT).until(() -> subscribers(topic) == 0);
    }

    @Test
    void aMessagePublishedOverHttpReachesTheWebSocketClient() throws Exception {
        String topic = "to-ws";
        try (WsClient ws = WsClient.connect(streams, wsUri(topic))) {
            await("socket subscribed").atMost(WAIT).until(() -> subscribers(topic) == 1);

            HttpResponse<String> published = http.post("/api/topics/" + topic, "over HTTP");
            assertThat(published.statusCode()).isEqualTo(200);
            assertThat(DemoHttp.parse(published.body()).path("delivered").asInt()).isEqualTo(1);

            String frame = ws.next(WAIT);
            assertThat(frame).as("JSON frame on the socket").isNotNull();
            JsonNode m = DemoHttp.parse(frame);
            assertThat(m.path("topic").asString()).isEqualTo(topic);
            assertThat(m.path("payload").asString()).isEqualTo("over HTTP");
            assertThat(m.path("publishedAtMillis").asLong()).isPositive();
        }
        await("socket's subscriber dropped on close").atMost(WAIT).until(() -> subscribers(topic) == 0);
    }

    private int subscribers(String topic) {
        return http.json("/api/topics/" + topic).path("subscribers").asInt();
    }

    private URI wsUri(String topic) {
        return URI.create("ws://127.0.0.1:" + port() + "/ws/topics/" + topic);
    }
}
