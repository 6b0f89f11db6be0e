package io.rusm.spring.actuate;

import io.rusm.Node;
import io.rusm.Pid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The health groups a Kubernetes user configures (liveness, readiness, a custom group with
 * {@code rusm}) over real HTTP: a child that ended as its restart type allows is no failure, and a
 * root escalation takes the instance out of traffic as well as marking it broken.
 */
class RusmHealthProbeTests {
    private static final String[] GROUPS = {
            "management.endpoint.health.group.app.include=rusm,readinessState",
            "management.endpoint.health.group.app.show-details=always",
    };

    private RunningApp app;

    @AfterEach
    void close() {
        if (app != null) app.close();
    }

    @Test
    void anEndedTemporaryChildAndANormallyExitedTransientOneAreNotFailures() {
        app = RunningApp.start(concat(GROUPS, "rusm.components.store.restart=temporary",
                "rusm.components.counter.restart=transient"));
        Node node = app.node();
        node.stop(node.whereis("store").orElseThrow(), Duration.ofSeconds(5));
        node.stop(node.whereis("counter").orElseThrow(), Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("store").isEmpty() && node.whereis("counter").isEmpty());

        RunningApp.Response health = app.get("/actuator/health");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        JsonNode rusm = health.json().at("/components/rusm/components");
        assertThat(rusm.at("/caches/components/store/status").asString()).isEqualTo("UP");
        assertThat(rusm.at("/caches/components/store/details/state").asString()).isEqualTo("ended");
        assertThat(rusm.at("/counter/status").asString()).isEqualTo("UP");
        assertThat(rusm.at("/counter/details/state").asString()).isEqualTo("ended");
        assertThat(app.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(app.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(app.get("/actuator/health/app").status()).isEqualTo(200);
    }

    @Test
    void aTransientChildThatCrashedAndAPermanentOneThatStoppedAreStillFailuresUntilRestarted() {
        app = RunningApp.start(concat(GROUPS, "rusm.components.counter.restart=transient"));
        Node node = app.node();
        Pid counter = node.whereis("counter").orElseThrow();
        node.kill(counter); // abnormal: a transient child is restarted
        await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("counter").filter(p -> !p.equals(counter)).isPresent());
        await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/actuator/health").status() == 200);
        assertThat(app.json("/actuator/health").at("/components/rusm/components/counter/details/restarts").asInt()).isEqualTo(1);
    }

    @Test
    void rootEscalationTakesTheInstanceOutOfTrafficAndMarksItBroken() {
        app = RunningApp.start(GROUPS);
        Node node = app.node();
        assertThat(app.get("/actuator/health/readiness").status()).isEqualTo(200);
        // The root allows 3 restarts a minute: the fourth kill is one too many.
        for (int i = 0; i < 4; i++) {
            Pid pid = await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("counter").orElse(null), p -> p != null);
            node.kill(pid);
            if (i < 3) await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("counter").filter(p -> !p.equals(pid)).isPresent());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/actuator/health/liveness").status() == 503);
        RunningApp.Response readiness = app.get("/actuator/health/readiness");
        assertThat(readiness.status()).as(readiness.body()).isEqualTo(503);
        assertThat(readiness.json().path("status").asString()).isEqualTo("OUT_OF_SERVICE");
        RunningApp.Response group = app.get("/actuator/health/app");
        assertThat(group.status()).isEqualTo(503);
        assertThat(group.json().at("/components/rusm/components/counter/details/escalated").asBoolean()).isTrue();
        assertThat(group.json().at("/components/rusm/components/gate/status").asString()).isEqualTo("DOWN");
    }

    @Test
    void afterTheRootIsKilledNothingShowsAsRunning() {
        app = RunningApp.start(GROUPS);
        app.node().kill(app.bean(io.rusm.spring.RusmLifecycle.class).root().pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/actuator/health").status() == 503);
        JsonNode rusm = app.json("/actuator/health").at("/components/rusm/components");
        for (String path : new String[]{"/counter", "/gate", "/caches/components/cache", "/caches/components/store"}) {
            assertThat(rusm.at(path + "/status").asString()).as(path).isEqualTo("DOWN");
            assertThat(rusm.at(path + "/details/state").asString()).as(path).isEqualTo("not running");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
