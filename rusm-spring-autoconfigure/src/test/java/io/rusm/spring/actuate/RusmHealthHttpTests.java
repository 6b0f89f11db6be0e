package io.rusm.spring.actuate;

import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.spring.actuate.fixtures.CacheClient;
import io.rusm.spring.actuate.fixtures.CounterClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@code rusm} health contributor, the liveness probe and {@code /actuator/rusm} over real HTTP,
 * before and after a crash, a restart storm within intensity, a nested escalation and a root
 * escalation. The tree: {@code rusm} [caches [cache, store], gate, counter] (see
 * {@link io.rusm.spring.actuate.fixtures.ServicesConfig#PROPERTIES}).
 */
class RusmHealthHttpTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private RunningApp app;

    @AfterEach
    void close() {
        if (app != null) app.close();
    }

    @Test
    void everyServiceIsAnUpLeafOfItsSupervisorsComposite() {
        app = RunningApp.start();

        RunningApp.Response rusm = app.get("/actuator/health/rusm");
        assertThat(rusm.status()).isEqualTo(200);
        JsonNode health = rusm.json();
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(names(health.path("components"))).containsExactlyInAnyOrder("caches", "gate", "counter");
        JsonNode caches = health.at("/components/caches");
        assertThat(caches.path("status").asString()).isEqualTo("UP");
        assertThat(names(caches.path("components"))).containsExactlyInAnyOrder("cache", "store");
        assertThat(caches.has("details")).as("a supervisor is a composite, not a leaf").isFalse();

        Pid counterPid = app.node().whereis("counter").orElseThrow();
        JsonNode counter = health.at("/components/counter");
        assertThat(counter.path("status").asString()).isEqualTo("UP");
        JsonNode details = counter.path("details");
        assertThat(details.path("state").asString()).isEqualTo("running");
        assertThat(details.path("restarts").asLong()).isZero();
        assertThat(details.path("mailboxSize").asInt()).isZero();
        assertThat(details.path("incarnation").asLong()).isEqualTo(1);
        assertThat(details.path("pid").asString()).isEqualTo(counterPid.toString());
        assertThat(details.has("lastExitReason")).as("never exited").isFalse();
        assertThat(details.has("escalated")).isFalse();

        // Nested components are addressable by path.
        RusmHealthAssert.leaf(app.get("/actuator/health/rusm/caches/cache"), 200, "UP", "running", 0, 1);
        RusmHealthAssert.leaf(app.get("/actuator/health/rusm/caches/store"), 200, "UP", "running", 0, 1);
        assertThat(app.get("/actuator/health/rusm/caches").json().path("status").asString()).isEqualTo("UP");

        // The whole application, and the probes.
        JsonNode all = app.json("/actuator/health");
        assertThat(all.path("status").asString()).isEqualTo("UP");
        assertThat(all.at("/components/rusm/components/counter/status").asString()).isEqualTo("UP");
        assertThat(app.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(app.get("/actuator/health/readiness").status()).isEqualTo(200);

        // The endpoint: the whole tree with pids, states, incarnations, restarts and mailbox sizes.
        JsonNode tree = app.json("/actuator/rusm");
        assertThat(tree.path("node").asString()).isEqualTo(app.node().name());
        assertThat(tree.path("processes").asInt()).isEqualTo(app.node().processCount()).isGreaterThanOrEqualTo(6);
        JsonNode root = tree.path("root");
        assertThat(root.path("name").asString()).isEqualTo("rusm");
        assertThat(root.path("type").asString()).isEqualTo("supervisor");
        assertThat(root.path("state").asString()).isEqualTo("running");
        assertThat(root.path("strategy").asString()).isEqualTo("one-for-one");
        assertThat(root.path("intensity").asInt()).isEqualTo(3);
        assertThat(childNames(root)).containsExactly("caches", "gate", "counter");
        JsonNode nested = child(root, "caches");
        assertThat(nested.path("type").asString()).isEqualTo("supervisor");
        assertThat(nested.path("strategy").asString()).isEqualTo("one-for-one");
        assertThat(nested.path("intensity").asInt()).isEqualTo(1);
        assertThat(nested.path("incarnation").asLong()).isEqualTo(1);
        assertThat(childNames(nested)).containsExactlyInAnyOrder("cache", "store");
        JsonNode c = child(root, "counter");
        assertThat(c.path("type").asString()).isEqualTo("service");
        assertThat(c.path("state").asString()).isEqualTo("running");
        assertThat(c.path("pid").asString()).isEqualTo(counterPid.toString());
        assertThat(c.path("incarnation").asLong()).isEqualTo(1);
        assertThat(c.path("restarts").asLong()).isZero();
        assertThat(c.path("mailboxSize").asInt()).isZero();
        assertThat(c.path("hibernating").isBoolean()).as("hibernating: idle past hibernate-after").isTrue();
        assertThat(c.path("restart").asString()).isEqualTo("permanent");
        assertThat(c.path("lastExitReason").isNull()).isTrue();
    }

    @Test
    void aCrashShowsAsTheLastExitReasonOfTheRestartedService() {
        app = RunningApp.start();
        CounterClient counter = app.bean(CounterClient.class);
        counter.bump(5);

        assertThatThrownBy(() -> counter.crash("boom 1")).isInstanceOf(ProcessCrashedException.class);
        awaitIncarnation("counter", 2);

        JsonNode details = awaitDetails("/actuator/health/rusm/counter", d -> d.path("incarnation").asLong() == 2);
        assertThat(details.path("state").asString()).isEqualTo("running");
        assertThat(details.path("restarts").asLong()).isEqualTo(1);
        assertThat(details.path("mailboxSize").asInt()).isZero();
        assertCrashed(details.path("lastExitReason"), IllegalStateException.class, "boom 1");
        assertThat(app.json("/actuator/health/rusm/counter").path("status").asString()).isEqualTo("UP");
        assertThat(app.json("/actuator/health/rusm").path("status").asString()).isEqualTo("UP");
        assertThat(app.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(counter.total()).as("fresh state").isZero();

        JsonNode c = child(app.json("/actuator/rusm").path("root"), "counter");
        assertThat(c.path("incarnation").asLong()).isEqualTo(2);
        assertThat(c.path("restarts").asLong()).isEqualTo(1);
        assertThat(c.path("state").asString()).isEqualTo("running");
        assertCrashed(c.path("lastExitReason"), IllegalStateException.class, "boom 1");
    }

    @Test
    void aRestartStormWithinIntensityKeepsEverythingUp() {
        app = RunningApp.start(); // the root allows 3 restarts a minute
        CounterClient counter = app.bean(CounterClient.class);

        for (int i = 1; i <= 3; i++) {
            int n = i;
            assertThatThrownBy(() -> counter.crash("storm " + n)).isInstanceOf(ProcessCrashedException.class);
            awaitIncarnation("counter", i + 1);
        }

        JsonNode details = awaitDetails("/actuator/health/rusm/counter", d -> d.path("restarts").asLong() == 3);
        assertThat(details.path("incarnation").asLong()).isEqualTo(4);
        assertThat(details.path("state").asString()).isEqualTo("running");
        assertCrashed(details.path("lastExitReason"), IllegalStateException.class, "storm 3");
        RunningApp.Response rusm = app.get("/actuator/health/rusm");
        assertThat(rusm.status()).isEqualTo(200);
        assertThat(rusm.json().path("status").asString()).isEqualTo("UP");
        assertThat(app.get("/actuator/health/liveness").status()).isEqualTo(200);
        JsonNode root = app.json("/actuator/rusm").path("root");
        assertThat(root.path("state").asString()).isEqualTo("running");
        assertThat(child(root, "counter").path("restarts").asLong()).isEqualTo(3);
        assertThat(child(root, "gate").path("restarts").asLong()).as("one-for-one: siblings untouched").isZero();
    }

    @Test
    void anEscalatedNestedSupervisorIsDownWhileTheRestStaysUp() {
        app = RunningApp.start(); // caches allows 1 restart and is transient: it stays down
        CacheClient cache = app.bean(CacheClient.class);

        assertThatThrownBy(() -> cache.crash("first")).isInstanceOf(ProcessCrashedException.class);
        awaitIncarnation("cache", 2);
        assertThatThrownBy(() -> cache.crash("second")).isInstanceOf(ProcessCrashedException.class);

        await().atMost(WAIT).until(() -> app.get("/actuator/health/rusm/caches").status() == 503);
        JsonNode caches = app.json("/actuator/health/rusm/caches");
        assertThat(caches.path("status").asString()).isEqualTo("DOWN");
        for (String service : List.of("cache", "store")) {
            JsonNode leaf = caches.path("components").path(service);
            assertThat(leaf.path("status").asString()).as(service).isEqualTo("DOWN");
            assertThat(leaf.at("/details/escalated").asBoolean()).as(service).isTrue();
            assertThat(leaf.at("/details/state").asString()).as(service).isEqualTo("escalated");
            assertThat(leaf.at("/details/mailboxSize").asInt()).as(service).isZero();
            assertThat(leaf.at("/details/incarnation").isMissingNode()).as(service + ": no incarnation runs").isTrue();
        }
        assertCrashed(caches.at("/components/cache/details/lastExitReason"), IllegalArgumentException.class, "second");
        assertThat(caches.at("/components/cache/details/restarts").asLong()).isEqualTo(1);
        assertThat(caches.at("/components/store/details/lastExitReason/reason").asString()).isEqualTo("shutdown");

        // The rest of the tree is up and the application is alive: the root did not escalate.
        RunningApp.Response rusm = app.get("/actuator/health/rusm");
        assertThat(rusm.status()).isEqualTo(503);
        assertThat(rusm.json().path("status").asString()).as("aggregate of a tree with a DOWN subtree").isEqualTo("DOWN");
        for (String service : List.of("counter", "gate")) {
            JsonNode leaf = rusm.json().path("components").path(service);
            assertThat(leaf.path("status").asString()).as(service).isEqualTo("UP");
            assertThat(leaf.path("details").has("escalated")).as(service).isFalse();
        }
        assertThat(app.get("/actuator/health/rusm/counter").status()).isEqualTo(200);
        assertThat(app.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(app.bean(CounterClient.class).bump(1)).isEqualTo(1);
        assertThatThrownBy(() -> cache.get("k")).isInstanceOf(NoProcessException.class);

        JsonNode root = app.json("/actuator/rusm").path("root");
        assertThat(root.path("state").asString()).isEqualTo("running");
        JsonNode nested = child(root, "caches");
        assertThat(nested.path("state").asString()).as("transient: not restarted").isEqualTo("stopped");
        // A supervisor that gives up exits shutdown, as OTP's does (which is why transient does not restart it).
        assertThat(nested.at("/lastExitReason/reason").asString()).isEqualTo("shutdown");
        assertThat(child(nested, "cache").path("state").asString()).isEqualTo("escalated");
        assertThat(child(nested, "cache").path("pid").isNull()).isTrue();
        assertThat(child(root, "counter").path("state").asString()).isEqualTo("running");
    }

    @Test
    void rootEscalationTakesEveryServiceDownAndBreaksLiveness() {
        app = RunningApp.start("rusm.supervisor.intensity=1");
        Node node = app.node();
        CounterClient counter = app.bean(CounterClient.class);
        assertThat(app.get("/actuator/health/liveness").json().path("status").asString()).isEqualTo("UP");

        assertThatThrownBy(() -> counter.crash("one")).isInstanceOf(ProcessCrashedException.class);
        awaitIncarnation("counter", 2);
        assertThatThrownBy(() -> counter.crash("two")).isInstanceOf(ProcessCrashedException.class);

        await().atMost(WAIT).until(() -> app.get("/actuator/health/liveness").status() == 503);
        assertThat(app.json("/actuator/health/liveness").path("status").asString()).isEqualTo("DOWN");

        RunningApp.Response rusm = app.get("/actuator/health/rusm");
        assertThat(rusm.status()).isEqualTo(503);
        JsonNode health = rusm.json();
        assertThat(health.path("status").asString()).isEqualTo("DOWN");
        for (String path : List.of("/components/counter", "/components/gate",
                "/components/caches/components/cache", "/components/caches/components/store")) {
            JsonNode leaf = health.at(path);
            assertThat(leaf.path("status").asString()).as(path).isEqualTo("DOWN");
            assertThat(leaf.at("/details/escalated").asBoolean()).as(path + " escalated").isTrue();
            assertThat(leaf.at("/details/incarnation").isMissingNode()).as(path).isTrue();
        }
        assertThat(health.at("/components/caches/status").asString()).isEqualTo("DOWN");
        assertCrashed(health.at("/components/counter/details/lastExitReason"), IllegalStateException.class, "two");
        assertThat(app.get("/actuator/health/rusm/caches/cache").status()).isEqualTo(503);
        assertThat(app.json("/actuator/health").path("status").asString()).isEqualTo("DOWN");
        assertThat(app.get("/actuator/health/readiness").status()).as("no traffic for services that are gone").isEqualTo(503);

        JsonNode root = app.json("/actuator/rusm").path("root");
        assertThat(root.path("state").asString()).isEqualTo("escalated");
        assertThat(root.at("/lastExitReason/reason").asString()).isEqualTo("escalated");
        assertThat(root.path("pid").isNull()).isTrue();
        assertThat(child(root, "counter").path("state").asString()).isEqualTo("escalated");
        assertThat(node.whereis("counter")).isEmpty();
        assertThat(app.context.isActive()).as("mark-broken keeps the application up").isTrue();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void awaitIncarnation(String service, long incarnation) {
        Node node = app.node();
        await().atMost(WAIT).until(() -> node.whereis(service).map(Pid::incarnation).orElse(0L) == incarnation);
    }

    private JsonNode awaitDetails(String path, java.util.function.Predicate<JsonNode> until) {
        return await().atMost(WAIT).until(() -> app.json(path).path("details"), until::test);
    }

    static void assertCrashed(JsonNode lastExitReason, Class<? extends Throwable> type, String message) {
        assertThat(lastExitReason.path("reason").asString()).isEqualTo("crashed");
        assertThat(lastExitReason.path("exception").asString()).isEqualTo(type.getName());
        assertThat(lastExitReason.path("message").asString()).isEqualTo(message);
    }

    static List<String> names(JsonNode object) {
        return new ArrayList<>(object.propertyNames());
    }

    static List<String> childNames(JsonNode supervisor) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : supervisor.path("children")) out.add(c.path("name").asString());
        return out;
    }

    static JsonNode child(JsonNode supervisor, String name) {
        for (JsonNode c : supervisor.path("children")) if (name.equals(c.path("name").asString())) return c;
        throw new AssertionError("no child '" + name + "' in " + supervisor);
    }
}
