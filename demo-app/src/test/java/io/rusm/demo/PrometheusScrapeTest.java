package io.rusm.demo;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The metrics as a real Prometheus sees them: {@code promtool check metrics} accepts what
 * {@code /actuator/prometheus} serves, and a real {@code prometheus} server (Debian's package, on a
 * loopback port, scraping the app every second) ends up with {@code rusm_process_restarts_total}
 * equal to the number of crashes induced through the demo's chaos endpoint.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("demo")
@DirtiesContext // the restart count Prometheus reads must be this test's alone
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrometheusScrapeTest {
    /** Crashes to induce: well inside the root supervisor's intensity (5 in 10 s in application.yml). */
    private static final int CRASHES = 3;

    @TempDir
    static Path tmp;

    @DynamicPropertySource
    static void kvPath(DynamicPropertyRegistry registry) {
        registry.add("rusm.kv.path", () -> tmp.resolve("kv").toString());
    }

    @LocalServerPort
    int port;

    private static Path promtool;
    private static Path prometheus;

    /** Before the app starts: without Prometheus there is nothing to run (skip, or fail on CI). */
    @BeforeAll
    static void prometheusBinaries() {
        var tool = ExternalTools.executable("promtool", null);
        var server = ExternalTools.executable("prometheus", null);
        ExternalTools.require(tool.isPresent() && server.isPresent(), "Prometheus (prometheus and promtool on PATH)",
                "Install Debian's: apt-get install -y prometheus");
        promtool = tool.orElseThrow();
        prometheus = server.orElseThrow();
    }

    @Test
    void promtoolAcceptsTheExpositionAndPrometheusCountsEveryRestart() throws Exception {
        Path out = ExternalTools.targetDir("prometheus");
        // rusm's own lint findings (and a prometheus that would not stop) are reported at the end,
        // so that the scrape below runs regardless and a failure inside it is not masked
        SoftAssertions deferred = new SoftAssertions();

        try (DemoHttp http = new DemoHttp(port)) {
            // some traffic, so the call timers and gauges are in the exposition
            assertThat(http.post("/api/counter/bump").statusCode()).isEqualTo(200);
            assertThat(http.put("/api/cache/k", "v").statusCode()).isEqualTo(200);
            assertThat(http.get("/api/topics").statusCode()).isEqualTo(200);
            String exposition = promtoolCheck(http, promtool, out, "before-crashes", deferred);
            assertThat(exposition).contains("rusm_calls_seconds_count{", "rusm_processes_live", "rusm_mailbox_size{");

            Path data = Files.createDirectories(tmp.resolve("prometheus-data"));
            Path config = tmp.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: rusm-demo
                        scrape_interval: 1s
                        scrape_timeout: 1s
                        metrics_path: /actuator/prometheus
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(port));
            int promPort = freeLoopbackPort();
            Path promLog = out.resolve("prometheus.log");
            Process server = new ProcessBuilder(prometheus.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + data,
                    "--web.listen-address=127.0.0.1:" + promPort,
                    "--log.level=info")
                    .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(promLog.toFile()).start();
            try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
                String prom = "http://127.0.0.1:" + promPort;
                await("prometheus ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .failFast("prometheus exited early, see " + promLog, () -> !server.isAlive())
                        .until(() -> status(client, prom + "/-/ready") == 200);
                await("prometheus scrapes the app").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> value(client, prom, "up{job=\"rusm-demo\"}").orElse(0) == 1);

                for (int i = 0; i < CRASHES; i++) http.crashAndAwaitRestart("counter");
                assertThat(http.restarts("counter")).isEqualTo(CRASHES);

                String query = "rusm_process_restarts_total{service=\"counter\"}";
                await("Prometheus sees " + CRASHES + " restarts").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> value(client, prom, query).orElse(-1) == CRASHES);
                JsonNode series = query(client, prom, query).path("data").path("result").get(0).path("metric");
                assertThat(series.path("supervisor").asString()).isEqualTo("rusm");
                assertThat(value(client, prom, "sum(rusm_process_crashes_total{service=\"counter\"})").orElse(-1)).isEqualTo(CRASHES);
            } finally {
                server.destroy(); // SIGTERM: prometheus shuts down cleanly by itself
                boolean stopped = server.waitFor(20, TimeUnit.SECONDS);
                if (!stopped) ExternalTools.destroyTree(server);
                deferred.assertThat(stopped).as("prometheus stopped by itself within 20 s of SIGTERM; log in %s", promLog).isTrue();
            }

            // with restarts and crashes counted, the exposition still passes promtool
            String after = promtoolCheck(http, promtool, out, "after-crashes", deferred);
            assertThat(after).contains("rusm_process_restarts_total{", "rusm_process_crashes_total{");
        }
        deferred.assertAll();
    }

    /**
     * Fetches /actuator/prometheus and pipes it into {@code promtool check metrics}, twice: the whole
     * exposition must parse (promtool exit 1 is a parse failure; exit 3 only lint findings, which
     * Spring Boot's and Micrometer's own meters have and rusm does not own), and rusm's families
     * alone must pass every lint (exit 0). Returns the text.
     */
    private static String promtoolCheck(DemoHttp http, Path promtool, Path out, String label, SoftAssertions lint) throws IOException, InterruptedException {
        HttpResponse<String> r = http.get("/actuator/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String text = r.body();
        Files.writeString(out.resolve(label + ".prom"), text);

        var all = ExternalTools.run(List.of(promtool.toString(), "check", "metrics"), out,
                text.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30), out.resolve(label + "-promtool-all.log"));
        assertThat(all.exitCode()).as("promtool check metrics on the whole exposition: 0 (clean) or 3 (lint findings only); it said:\n%s",
                all.output()).isIn(0, 3);

        String rusm = families(text, "rusm_");
        assertThat(rusm).as("rusm families in the exposition").contains("# TYPE rusm_");
        var ours = ExternalTools.run(List.of(promtool.toString(), "check", "metrics"), out,
                rusm.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30), out.resolve(label + "-promtool-rusm.log"));
        lint.assertThat(ours.exitCode()).as("promtool check metrics on rusm's families (%s); it said:\n%s", label, ours.output()).isZero();
        return text;
    }

    /** The metric families (HELP, TYPE and samples) of the text exposition whose names start with {@code prefix}. */
    static String families(String exposition, String prefix) {
        StringBuilder out = new StringBuilder();
        boolean keep = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) keep = line.substring(7).startsWith(prefix);
            else if (!line.startsWith("#") && !line.isBlank()) keep = line.startsWith(prefix);
            if (keep) out.append(line).append('\n');
        }
        return out.toString();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int status(HttpClient client, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static JsonNode query(HttpClient client, String prom, String promql) throws IOException, InterruptedException {
        URI uri = URI.create(prom + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) fail("Prometheus query " + promql + " answered " + r.statusCode() + ": " + r.body());
        JsonNode json = DemoHttp.parse(r.body());
        assertThat(json.path("status").asString()).isEqualTo("success");
        return json;
    }

    /** The single instant-vector value of {@code promql}, if the result has exactly one series. */
    private static OptionalDouble value(HttpClient client, String prom, String promql) throws IOException, InterruptedException {
        JsonNode result = query(client, prom, promql).path("data").path("result");
        if (result.size() != 1) return OptionalDouble.empty();
        return OptionalDouble.of(Double.parseDouble(result.get(0).path("value").get(1).asString()));
    }
}
