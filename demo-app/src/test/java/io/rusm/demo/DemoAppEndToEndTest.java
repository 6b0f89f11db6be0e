package io.rusm.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** {@link DemoEndToEndSuite} against the demo started in this JVM on a random port. */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"demo.subscribers.keep-alive=200ms", "rusm.supervisor.intensity=50"}) // = PROPERTIES
@ActiveProfiles("demo")
@DirtiesContext // restart counts are part of what is asserted: no other test class shares this app
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class DemoAppEndToEndTest extends DemoEndToEndSuite {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path kvDir;

    @DynamicPropertySource
    static void kvPath(DynamicPropertyRegistry registry) {
        registry.add("rusm.kv.path", () -> kvDir.resolve("kv").toString());
    }

    @LocalServerPort
    int port;

    @Override
    int port() {
        return port;
    }

    @Test
    void aDemoCrashIsLoggedOnceAtErrorWithItsStackTrace(CapturedOutput output) {
        http.crashAndAwaitRestart("durableCounter");
        await("crash logged").atMost(WAIT).until(() -> output.getOut().contains("component 'durableCounter'"));
        assertCrashLoggedWithItsStackTrace(output.getOut(), "durableCounter", "io.rusm.demo.durable.DurableCounter");
    }
}
