package io.rusm.demo;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real HTTP client against the running demo app (java.net.http, HTTP/1.1), plus the JSON views the tests read. */
final class DemoHttp implements AutoCloseable {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    DemoHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    String base() {
        return base;
    }

    URI uri(String path) {
        return URI.create(base + path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<String> post(String path, String textBody) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(textBody)));
    }

    HttpResponse<String> put(String path, String textBody) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(textBody)));
    }

    /** What {@code curl -d} sends: a form-encoded body. */
    HttpResponse<String> form(String method, String path, String encodedBody) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(encodedBody)));
    }

    HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** GET that must answer 200 with JSON. */
    JsonNode json(String path) {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return parse(r.body());
    }

    static JsonNode parse(String body) {
        return JSON.readTree(body);
    }

    /** The service's node in {@code /actuator/rusm}'s supervision tree, if present. */
    Optional<JsonNode> service(String name) {
        return find(json("/actuator/rusm").path("root"), name);
    }

    private static Optional<JsonNode> find(JsonNode node, String name) {
        if (node == null || node.isMissingNode() || node.isNull()) return Optional.empty();
        if ("service".equals(node.path("type").asString()) && name.equals(node.path("name").asString())) {
            return Optional.of(node);
        }
        for (JsonNode child : node.path("children")) {
            Optional<JsonNode> found = find(child, name);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    long restarts(String service) {
        return service(service).orElseThrow(() -> new AssertionError("no service '" + service + "' in /actuator/rusm"))
                .path("restarts").asLong();
    }

    /** Crashes {@code service} through the demo-only chaos endpoint and waits until its next incarnation runs. */
    void crashAndAwaitRestart(String service) {
        long before = restarts(service);
        HttpResponse<String> r = post("/demo/" + service + "/crash");
        assertThat(r.statusCode()).as("crash %s: %s", service, r.body()).isEqualTo(200);
        await("restart of " + service + " after crash #" + (before + 1))
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> {
                    JsonNode s = service(service).orElseThrow();
                    assertThat(s.path("restarts").asLong()).isEqualTo(before + 1);
                    assertThat(s.path("state").asString()).isEqualTo("running");
                });
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
        client.close();
    }
}
