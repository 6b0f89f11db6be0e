package io.rusm.spring.actuate;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.spring.actuate.fixtures.CacheClient;
import io.rusm.spring.actuate.fixtures.CounterClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

import static io.rusm.spring.actuate.RusmHealthHttpTests.child;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The write operations of {@code /actuator/rusm}: off by default (the endpoint's default access is
 * read-only), working with {@code management.endpoint.rusm.access=unrestricted}.
 */
class RusmEndpointHttpTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private RunningApp app;

    @AfterEach
    void close() {
        if (app != null) app.close();
    }

    @Test
    void writeOperationsAreRefusedByDefault() {
        app = RunningApp.start();
        Node node = app.node();
        CounterClient counter = app.bean(CounterClient.class);
        counter.bump(7);
        Pid before = node.whereis("counter").orElseThrow();

        RunningApp.Response kill = app.post("/actuator/rusm/counter/kill");
        RunningApp.Response restart = app.post("/actuator/rusm/counter/restart");

        assertThat(kill.status()).as(kill.body()).isEqualTo(404);
        assertThat(restart.status()).as(restart.body()).isEqualTo(404);
        assertThat(node.whereis("counter")).contains(before);
        assertThat(counter.total()).as("state untouched").isEqualTo(7);
        assertThat(app.get("/actuator/rusm").status()).as("reading stays allowed").isEqualTo(200);
    }

    @Test
    void restartAndKillWorkWhenAccessIsUnrestricted() {
        app = RunningApp.start("management.endpoint.rusm.access=unrestricted");
        Node node = app.node();
        CounterClient counter = app.bean(CounterClient.class);
        counter.bump(7);
        Pid first = node.whereis("counter").orElseThrow();

        // restart: a graceful stop and a fresh incarnation, with fresh state.
        RunningApp.Response restart = app.post("/actuator/rusm/counter/restart");
        assertThat(restart.status()).as(restart.body()).isEqualTo(200);
        JsonNode body = restart.json();
        assertThat(body.path("service").asString()).isEqualTo("counter");
        assertThat(body.path("action").asString()).isEqualTo("restart");
        assertThat(body.path("before").asString()).isEqualTo(first.toString());
        Pid second = node.whereis("counter").orElseThrow(); // the supervisor replied once the new one ran
        assertThat(second.incarnation()).isEqualTo(first.incarnation() + 1);
        assertThat(counter.total()).as("fresh state").isZero();
        JsonNode c = child(app.json("/actuator/rusm").path("root"), "counter");
        assertThat(c.path("incarnation").asLong()).isEqualTo(second.incarnation());
        assertThat(c.path("restarts").asLong()).isEqualTo(1);
        assertThat(c.at("/lastExitReason/reason").asString()).isEqualTo("shutdown");

        // kill: untrappable; the supervisor restarts it as after any abnormal exit.
        counter.bump(3);
        RunningApp.Response kill = app.post("/actuator/rusm/counter/kill");
        assertThat(kill.status()).as(kill.body()).isEqualTo(200);
        assertThat(kill.json().path("before").asString()).isEqualTo(second.toString());
        Pid third = await().atMost(WAIT).until(() -> node.whereis("counter").orElse(second), p -> !p.equals(second));
        assertThat(third.incarnation()).isEqualTo(second.incarnation() + 1);
        assertThat(counter.total()).isZero();
        JsonNode details = await().atMost(WAIT).until(() -> app.json("/actuator/health/rusm/counter").path("details"),
                d -> d.path("restarts").asLong() == 2);
        assertThat(details.path("incarnation").asLong()).isEqualTo(third.incarnation());
        assertThat(details.at("/lastExitReason/reason").asString()).isEqualTo("killed");
        assertThat(details.path("state").asString()).isEqualTo("running");

        // A service under a nested supervisor is found by name too.
        CacheClient cache = app.bean(CacheClient.class);
        cache.put("k", "v");
        Pid cacheBefore = node.whereis("cache").orElseThrow();
        assertThat(app.post("/actuator/rusm/cache/restart").status()).isEqualTo(200);
        assertThat(node.whereis("cache").orElseThrow().incarnation()).isEqualTo(cacheBefore.incarnation() + 1);
        assertThat(cache.get("k")).isNull();

        // Mistakes are the caller's: 400, and nothing happens.
        Pid now = node.whereis("counter").orElseThrow();
        RunningApp.Response unknown = app.post("/actuator/rusm/nope/restart");
        RunningApp.Response badAction = app.post("/actuator/rusm/counter/explode");
        RunningApp.Response supervisor = app.post("/actuator/rusm/caches/kill");
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
        assertThat(badAction.status()).as(badAction.body()).isEqualTo(400);
        assertThat(supervisor.status()).as(supervisor.body()).isEqualTo(400);
        assertThat(node.whereis("counter")).contains(now);
        assertThat(node.whereis("caches")).isPresent();

        // A service whose supervisor gave up cannot be restarted from here (caches allows 1 restart).
        Pid cacheNow = node.whereis("cache").orElseThrow();
        node.kill(cacheNow);
        Pid cacheNext = await().atMost(WAIT).until(() -> node.whereis("cache").orElse(cacheNow), p -> !p.equals(cacheNow));
        node.kill(cacheNext);
        await().atMost(WAIT).until(() -> node.whereis("caches").isEmpty());
        RunningApp.Response escalated = app.post("/actuator/rusm/cache/restart");
        assertThat(escalated.status()).as(escalated.body()).isEqualTo(400);
        assertThat(node.whereis("cache")).isEmpty();
    }
}
