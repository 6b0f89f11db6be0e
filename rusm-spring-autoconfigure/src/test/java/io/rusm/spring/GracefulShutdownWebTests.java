package io.rusm.spring;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.event.ProcessListener;
import io.rusm.spring.fixtures.Journal;
import io.rusm.spring.fixtures.web.DrainClient;
import io.rusm.spring.fixtures.web.Gates;
import io.rusm.spring.fixtures.web.StuckClient;
import io.rusm.spring.fixtures.web.WebApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real application with a web server, closed while work is in progress: services outlive the
 * web server's graceful shutdown, drain their mailboxes before {@code @PreDestroy}, and a service
 * that ignores its deadline is killed without holding up the close.
 */
class GracefulShutdownWebTests {

    private ConfigurableApplicationContext context;
    private Gates gates;
    private int port;

    private void start(String... properties) {
        context = new SpringApplicationBuilder(WebApp.class)
                .registerShutdownHook(false)
                .properties("server.port=0", "server.shutdown=graceful", "spring.lifecycle.timeout-per-shutdown-phase=10s",
                        "spring.main.banner-mode=off", "spring.main.log-startup-info=false")
                .properties(properties)
                .run();
        gates = context.getBean(Gates.class);
        port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    @AfterEach
    void tearDown() {
        if (gates != null) gates.releaseAll(); // lets the handler that ignores interrupts finish, whatever happened
        if (context != null) context.close();
    }

    @Test
    void aRequestInFlightAtShutdownCompletesAndItsServiceCallSucceeds() throws Exception {
        start();
        Journal journal = context.getBean(Journal.class);
        assertThat(get("/ping").body()).isEqualTo("pong");

        try (HttpClient http = client()) {
            CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(request("/slow"), HttpResponse.BodyHandlers.ofString());
            assertThat(gates.requestEntered.await(10, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Void> closing = closeInBackground();
            // Graceful shutdown has begun: the server takes no new connections, the request is still in flight.
            await().atMost(Duration.ofSeconds(10)).until(this::refusesRequests);
            assertThat(inFlight).isNotDone();
            assertThat(closing).isNotDone();

            gates.requestRelease.countDown();

            HttpResponse<String> response = inFlight.get(20, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).as("the service answered during the web server's graceful shutdown").isEqualTo("slow:1");
            closing.get(20, TimeUnit.SECONDS);
        }
        assertThat(context.isActive()).isFalse();
        assertThat(journal.events()).containsSubsequence("counter.bump:1", "counter.preDestroy:count=1");
    }

    @Test
    void queuedMessagesDrainBeforePreDestroy() throws Exception {
        start("rusm.components.drain.shutdown-timeout=20s", "spring.lifecycle.timeout-per-shutdown-phase=30s");
        Journal journal = context.getBean(Journal.class);
        DrainClient drain = context.getBean(DrainClient.class);
        List<String> refused = new CopyOnWriteArrayList<>();
        context.getBean(Node.class).addListener(new ProcessListener() {
            @Override
            public void sendDropped(String target, Object message, String reason) {
                if (target.equals("drain")) refused.add(reason);
            }
        });

        int n = 50;
        IntStream.range(0, n).forEach(drain::work); // the first holds at the gate, the rest queue behind it

        CompletableFuture<Void> closing = closeInBackground();
        // The drain service has been told to stop: its mailbox no longer accepts messages.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            drain.probe();
            return !refused.isEmpty();
        });
        assertThat(journal.startingWith("drain.work:")).as("all still queued when the stop began").isEmpty();

        gates.drainRelease.countDown();
        closing.get(30, TimeUnit.SECONDS);

        List<String> expected = IntStream.range(0, n).mapToObj(i -> "drain.work:" + i).toList();
        assertThat(journal.startingWith("drain.work:")).containsExactlyElementsOf(expected);
        assertThat(journal.startingWith("drain.preDestroy")).containsExactly("drain.preDestroy:handled=" + n);
        assertThat(journal.indexOf("drain.preDestroy:handled=" + n)).isGreaterThan(journal.indexOf("drain.work:" + (n - 1)));
    }

    @Test
    void aServiceIgnoringItsDeadlineIsKilledAndTheContextStillCloses() throws Exception {
        start("rusm.components.stuck.shutdown-timeout=500ms", "spring.lifecycle.timeout-per-shutdown-phase=30s");
        Journal journal = context.getBean(Journal.class);
        Map<String, ExitReason> exits = new ConcurrentHashMap<>();
        context.getBean(Node.class).addListener(new ProcessListener() {
            @Override
            public void exited(Pid pid, ExitReason reason) {
                exits.put(pid.name(), reason);
            }
        });
        context.getBean(StuckClient.class).hang();
        assertThat(gates.stuckEntered.await(10, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        context.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        // Well under the 30 s phase timeout (the margin is for slow CI machines): rusm killed the service
        // at its 500 ms deadline rather than leaving Spring to give up on the phase after 30 s.
        assertThat(took).isLessThan(Duration.ofSeconds(20));
        assertThat(context.isActive()).isFalse();
        assertThat(exits).containsEntry("stuck", ExitReason.KILLED);
        assertThat(journal.events()).as("no @PreDestroy after a kill").doesNotContain("stuck.preDestroy");
        // The others still stopped gracefully.
        assertThat(exits).containsEntry("counter", ExitReason.SHUTDOWN).containsEntry("drain", ExitReason.SHUTDOWN);
        assertThat(journal.startingWith("counter.preDestroy")).hasSize(1);
        assertThat(journal.startingWith("drain.preDestroy")).hasSize(1);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private CompletableFuture<Void> closeInBackground() {
        return CompletableFuture.runAsync(context::close, task -> Thread.ofPlatform().name("test-close").start(task));
    }

    private boolean refusesRequests() {
        try {
            get("/ping");
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        try (HttpClient http = client()) {
            return http.send(request(path), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30)).GET().build();
    }
}
