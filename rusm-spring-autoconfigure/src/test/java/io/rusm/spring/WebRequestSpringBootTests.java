package io.rusm.spring;

import io.rusm.Node;
import io.rusm.spring.fixtures.web.CounterClient;
import io.rusm.spring.fixtures.web.WebApp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.test.annotation.DirtiesContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The starter in an ordinary {@code @SpringBootTest} with a real server: HTTP in, service call through the injected client. */
@SpringBootTest(classes = WebApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.shutdown=graceful", "spring.main.banner-mode=off"})
@DirtiesContext
class WebRequestSpringBootTests {

    @LocalServerPort
    int port;

    @Autowired
    CounterClient counter;

    @Autowired
    Node node;

    @Autowired
    RusmLifecycle lifecycle;

    @Autowired
    ApplicationContext context;

    @Test
    void servicesStartBeforeAndStopAfterTheWebServer() {
        // Start goes from low phase to high and stop the other way round: a phase below both of the
        // web server's lifecycles (start/stop and graceful shutdown) brackets the whole HTTP lifetime.
        Map<String, SmartLifecycle> webServer = context.getBeansOfType(SmartLifecycle.class);
        webServer.keySet().removeIf(name -> !name.startsWith("webServer"));
        assertThat(webServer).containsKeys("webServerStartStop", "webServerGracefulShutdown");
        webServer.forEach((name, bean) -> assertThat(lifecycle.getPhase()).as(name).isLessThan(bean.getPhase()));
    }

    @Test
    void requestsReachTheResidentServiceThroughTheInjectedClient() throws Exception {
        assertThat(lifecycle.isRunning()).isTrue();
        assertThat(node.whereis("counter")).isPresent();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest bump = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/bump"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> first = http.send(bump, HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = http.send(bump, HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("1");
            assertThat(second.body()).isEqualTo("2");
        }
        // The controller and the test share one service: its state lives in the process, not the proxy.
        assertThat(counter.bump(10)).isEqualTo(12);
    }
}
