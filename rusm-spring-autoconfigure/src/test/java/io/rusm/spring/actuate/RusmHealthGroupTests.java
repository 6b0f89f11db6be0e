package io.rusm.spring.actuate;

import io.rusm.Node;
import io.rusm.Pid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

import static io.rusm.spring.actuate.RusmHealthHttpTests.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Health groups can include {@code rusm} or a path into its tree; Boot validates group members at
 * startup, which works because the contributor's shape comes from the configured tree.
 */
class RusmHealthGroupTests {

    private RunningApp app;

    @AfterEach
    void close() {
        if (app != null) app.close();
    }

    @Test
    void groupsIncludeTheRusmTreeOrAPathIntoIt() {
        app = RunningApp.start("management.endpoint.health.group.custom.include=rusm",
                "management.endpoint.health.group.custom.show-details=always",
                "management.endpoint.health.group.caching.include=rusm/caches",
                "management.endpoint.health.group.caching.show-details=always");

        RunningApp.Response custom = app.get("/actuator/health/custom");
        assertThat(custom.status()).as(custom.body()).isEqualTo(200);
        assertThat(names(custom.json().path("components"))).containsExactly("rusm");
        assertThat(custom.json().at("/components/rusm/components/counter/details/state").asString()).isEqualTo("running");
        assertThat(custom.json().at("/components/rusm/components/caches/components/cache/status").asString()).isEqualTo("UP");

        JsonNode caching = app.json("/actuator/health/caching");
        assertThat(caching.path("status").asString()).isEqualTo("UP");
        assertThat(caching.at("/components/rusm/components/caches/components/store/status").asString()).isEqualTo("UP");
        assertThat(caching.at("/components/rusm/components/counter").isMissingNode()).as("only the included subtree").isTrue();

        // The group follows the tree: a DOWN subtree makes the group DOWN (caches allows one restart).
        Node node = app.node();
        Pid first = node.whereis("cache").orElseThrow();
        node.kill(first);
        Pid second = await().atMost(Duration.ofSeconds(10)).until(() -> node.whereis("cache").orElse(first), p -> !p.equals(first));
        node.kill(second);
        await().atMost(Duration.ofSeconds(10)).until(() -> app.get("/actuator/health/caching").status() == 503);
        assertThat(app.json("/actuator/health/caching").at("/components/rusm/components/caches/components/cache/details/escalated")
                .asBoolean()).isTrue();
        assertThat(app.get("/actuator/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void aGroupMemberThatIsNotInTheTreeFailsStartup() {
        assertThatThrownBy(() -> RunningApp.start("management.endpoint.health.group.custom.include=rusm/nope",
                "logging.level.org.springframework.boot.diagnostics=off")) // the expected failure report, kept out of the build log
                .hasStackTraceContaining("Included health contributor 'rusm/nope' in group 'custom' does not exist");
    }
}
