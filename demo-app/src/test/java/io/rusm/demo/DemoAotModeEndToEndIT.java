package io.rusm.demo;

import io.rusm.LoopbackPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DemoEndToEndSuite} against the packaged demo jar run in Spring AOT mode on the JVM
 * ({@code java -Dspring.aot.enabled=true -jar}): the bean factory is the code
 * {@code spring-boot:process-aot} generated at build time (run in {@code prepare-package}, with the
 * {@code demo} profile), not the one reflection would build. A JVM of its own, started here and
 * stopped by its PID (with anything it started) even when a test fails. Runs in failsafe's
 * {@code integration-test} phase, after the jar is built. Native compilation itself needs GraalVM,
 * which this build does not have.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoAotModeEndToEndIT extends DemoEndToEndSuite {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private static Process app;
    private static int port;
    private static Path log;

    @BeforeAll
    static void startTheJarInAotMode() throws Exception {
        Path target = ExternalTools.moduleDir().resolve("target");
        Path jar;
        try (var jars = Files.list(target)) {
            jar = jars.filter(p -> p.getFileName().toString().matches("demo-app-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no demo-app jar in " + target + ": run mvn verify (package comes first)"));
        }
        assertThat(target.resolve("spring-aot/main/classes")).as("process-aot output").isDirectory();
        Path kv = Files.createTempDirectory("rusm-aot-demo-kv-");
        log = ExternalTools.targetDir("aot").resolve("demo.log");
        port = LoopbackPorts.reserve();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Dspring.aot.enabled=true", "-jar", jar.toString(),
                "--server.port=" + port, "--spring.profiles.active=demo", "--rusm.kv.path=" + kv.resolve("kv"),
                "--spring.main.banner-mode=off"));
        for (String p : PROPERTIES) command.add("--" + p);
        app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitReady();
    }

    /** Polls readiness, bounded: the app is a separate JVM, there is no event to wait on. */
    private static void awaitReady() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) throw new AssertionError("the AOT-mode demo exited with " + app.exitValue() + ":\n" + log());
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    assertThat(log()).as("started from the AOT-generated bean factory").contains("Starting AOT-processed DemoApplication");
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            app.waitFor(100, TimeUnit.MILLISECONDS); // returns at once if it dies
        }
        throw new AssertionError("the AOT-mode demo was not ready within " + STARTUP + ":\n" + log());
    }

    @AfterAll
    static void stopItByItsPid() throws Exception {
        if (app == null) return;
        ProcessHandle handle = ProcessHandle.of(app.pid()).orElse(null);
        if (handle != null) {
            handle.destroy(); // SIGTERM: the graceful shutdown a platform would do
            if (!app.waitFor(30, TimeUnit.SECONDS)) ExternalTools.destroyTree(app);
        }
        assertThat(app.isAlive()).isFalse();
    }

    @Override
    int port() {
        return port;
    }

    @Test
    void aDemoCrashIsLoggedAtErrorWithItsStackTraceInAotModeToo() throws Exception {
        http.crashAndAwaitRestart("durableCounter");
        org.awaitility.Awaitility.await("crash logged").atMost(Duration.ofSeconds(10)).until(() -> log().contains("component 'durableCounter'"));
        assertCrashLoggedWithItsStackTrace(log(), "durableCounter", "io.rusm.demo.durable.DurableCounter");
    }

    private static String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
