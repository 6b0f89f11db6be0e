package io.rusm.spring.actuate;

import io.rusm.Node;
import io.rusm.spring.actuate.fixtures.Latches;
import io.rusm.spring.actuate.fixtures.ObservedApp;
import io.rusm.spring.actuate.fixtures.ServicesConfig;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ObservedApp} started for real (embedded server on a random port, Actuator, Prometheus),
 * with a plain {@link HttpClient} to talk to it. {@code SpringApplicationBuilder} rather than
 * {@code @SpringBootTest}: each test gets its own application (escalations are terminal), and
 * metrics export stays on, as in production.
 */
final class RunningApp implements AutoCloseable {
    static final String[] ACTUATOR = {
            "server.port=0", "spring.main.banner-mode=off", "spring.main.log-startup-info=false",
            "management.endpoints.web.exposure.include=health,rusm,prometheus",
            "management.endpoint.health.show-details=always",
            "management.endpoint.health.probes.enabled=true",
    };

    private static final JsonMapper JSON = JsonMapper.builder().build();

    final ConfigurableApplicationContext context;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RunningApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** Starts the app with the fixture tree ({@link ServicesConfig#PROPERTIES}), Actuator settings, then {@code extra}. */
    static RunningApp start(String... extra) {
        return startWith(new Class<?>[0], extra);
    }

    /** {@link #start}, with the application's own {@code configs} added to it. */
    static RunningApp startWith(Class<?>[] configs, String... extra) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ObservedApp.class).sources(configs)
                .registerShutdownHook(false)
                .properties(ServicesConfig.PROPERTIES)
                .properties(ACTUATOR)
                .properties(extra)
                .run();
        return new RunningApp(context);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    Node node() {
        return bean(Node.class);
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Response post(String path) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** The JSON of a {@code GET}, whatever its status (health answers 503 when DOWN). */
    JsonNode json(String path) {
        return get(path).json();
    }

    /** {@code /actuator/prometheus} as series name with sorted labels to value. */
    Map<String, Double> prometheus() {
        Response r = get("/actuator/prometheus");
        if (r.status() != 200) throw new AssertionError("/actuator/prometheus answered " + r.status() + ": " + r.body());
        return parsePrometheus(r.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            context.getBean(Latches.class).release.countDown(); // a held gate must not slow the close down
        } finally {
            context.close();
            http.close();
        }
    }

    record Response(int status, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * Parses the Prometheus text format into {@code name{k="v",...}} (labels sorted by key) to value,
     * so assertions do not depend on the order the registry writes labels in.
     */
    static Map<String, Double> parsePrometheus(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) throw new AssertionError("not a Prometheus sample line: " + line);
            Map<String, String> labels = new java.util.TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            out.put(series(m.group(1), labels), Double.parseDouble(m.group(3)));
        }
        return out;
    }

    /** {@code name{k="v",...}} with labels sorted by key; "k=v" pairs as arguments. */
    static String series(String name, String... labels) {
        Map<String, String> sorted = new java.util.TreeMap<>();
        for (String kv : labels) {
            int eq = kv.indexOf('=');
            sorted.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return series(name, sorted);
    }

    private static String series(String name, Map<String, String> labels) {
        if (labels.isEmpty()) return name;
        StringBuilder b = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }
}
