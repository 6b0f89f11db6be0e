package io.rusm.demo;

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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The observer page ({@code static/index.html}) in a real browser: {@code src/test/e2e/observer.mjs}
 * drives Debian's chromium through playwright-core against the running app. It clicks the counter's
 * crash button and checks that the page shows the restart (restart count 1, running again, value
 * reset) and that its timeline gains the crash and the restart under the root supervisor, that the
 * counter's calls/s sparkline fills, that the page never polls {@code /actuator/rusm} (the tree, the
 * sparklines and the timeline are pushed over {@code /api/observer/events}), publishes through the
 * page's form and sees the message come back over SSE, and saves a screenshot to
 * {@code target/e2e/observer.png}.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("demo")
@DirtiesContext // the page must see this app's first restart
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ObserverPageBrowserTest {
    @TempDir
    static Path kvDir;

    @DynamicPropertySource
    static void kvPath(DynamicPropertyRegistry registry) {
        registry.add("rusm.kv.path", () -> kvDir.resolve("kv").toString());
    }

    @LocalServerPort
    int port;

    private static Path node;
    private static Path chromium;

    /** Before the app starts: without the browser tooling there is nothing to run (skip, or fail on CI). */
    @BeforeAll
    static void browserTooling() {
        String chromiumOverride = System.getenv("CHROMIUM_PATH");
        var browser = ExternalTools.executable("chromium", chromiumOverride);
        ExternalTools.require(browser.isPresent(),
                "Chromium (" + (chromiumOverride == null ? "chromium on PATH" : chromiumOverride) + ")",
                "Install Debian's: apt-get install -y chromium");
        chromium = browser.orElseThrow();
        var found = ExternalTools.executable("node", null);
        ExternalTools.require(found.isPresent(), "Node.js (node on PATH)", "Install Node.js 20+");
        node = found.orElseThrow();
        Path e2e = ExternalTools.e2eDir();
        ExternalTools.require(Files.isDirectory(e2e.resolve("node_modules/playwright-core")),
                "playwright-core in " + e2e.resolve("node_modules"), "Run: cd demo-app/src/test/e2e && npm ci");
    }

    @Test
    void crashingTheCounterFromThePageShowsItsRestart() throws Exception {
        Path e2e = ExternalTools.e2eDir();
        Path out = ExternalTools.targetDir("e2e");
        Path screenshot = out.resolve("observer.png");
        Files.deleteIfExists(screenshot);

        var result = ExternalTools.run(
                List.of(node.toString(), "observer.mjs", "http://127.0.0.1:" + port + "/", screenshot.toString()),
                Map.of("CHROMIUM_PATH", chromium.toString()), e2e, null, Duration.ofSeconds(100), out.resolve("observer.log"));

        assertThat(result.exitCode()).as("node observer.mjs exit code; its output:\n%s", result.output()).isZero();
        assertThat(screenshot).as("screenshot").exists();
        assertThat(Files.size(screenshot)).as("screenshot size").isGreaterThan(10_000);
        assertThat(result.output()).contains("restart counted", "state reset", "published message came back over SSE",
                "sparkline: counter calls/s has points", "timeline gained events", "not polled");
    }
}
