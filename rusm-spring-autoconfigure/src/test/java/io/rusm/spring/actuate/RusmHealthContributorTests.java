package io.rusm.spring.actuate;

import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.actuate.fixtures.ServicesConfig;
import io.rusm.spring.actuate.fixtures.StoreClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code rusm} contributor bean without a web server: on-demand services, and turning it off. */
class RusmHealthContributorTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmHealthAutoConfiguration.class, RusmMetricsAutoConfiguration.class,
                    RusmObservationAutoConfiguration.class, RusmEndpointAutoConfiguration.class))
            .withUserConfiguration(ServicesConfig.class)
            .withPropertyValues(ServicesConfig.PROPERTIES);

    @Test
    void aServiceStartedOnDemandIsUpAndIdleUntilItsFirstCall() {
        runner.withPropertyValues("rusm.components.store.resident=false").run(context -> {
            CompositeHealthContributor rusm = context.getBean("rusmHealthContributor", CompositeHealthContributor.class);
            assertThat(rusm.stream().map(e -> e.name())).containsExactlyInAnyOrder("caches", "gate", "counter");

            Health idle = leaf(rusm, "caches", "store");
            assertThat(idle.getStatus()).isEqualTo(Status.UP);
            assertThat(idle.getDetails()).containsEntry("state", "idle").containsEntry("restarts", 0L)
                    .containsEntry("mailboxSize", 0).doesNotContainKeys("incarnation", "pid", "lastExitReason", "escalated");

            assertThat(context.getBean(StoreClient.class).ping()).isEqualTo("pong");

            Health running = leaf(rusm, "caches", "store");
            assertThat(running.getStatus()).isEqualTo(Status.UP);
            assertThat(running.getDetails()).containsEntry("state", "running").containsEntry("incarnation", 1L);
        });
    }

    @Test
    void theContributorCanBeTurnedOff() {
        runner.withPropertyValues("management.health.rusm.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("rusmHealthContributor"));
    }

    private static Health leaf(CompositeHealthContributor root, String... path) {
        CompositeHealthContributor current = root;
        List<String> names = List.of(path);
        for (String name : names.subList(0, names.size() - 1)) current = (CompositeHealthContributor) current.getContributor(name);
        return ((HealthIndicator) current.getContributor(names.getLast())).health();
    }
}
