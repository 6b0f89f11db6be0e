package io.rusm.test;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.test.app.Tally;
import io.rusm.test.app.TallyClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RusmContextRunners}: an {@code ApplicationContextRunner} that finds the services, as the README shows. */
class RusmContextRunnersTests {
    private final ApplicationContextRunner runner = RusmContextRunners.forServicesOf(Tally.class)
            .withPropertyValues("rusm.components.tally.restart=transient");

    @Test
    void findsTheServicesAndGivesEachContextATemporaryStore() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TallyClient.class).hasSingleBean(RusmEvents.class);
            assertThat(context.getBean(TallyClient.class).add(4)).isEqualTo(4);
            assertThat(Path.of(context.getEnvironment().getRequiredProperty("rusm.kv.path")))
                    .startsWith(Path.of(System.getProperty("java.io.tmpdir")));

            Node node = context.getBean(Node.class);
            Pid first = node.whereis("tally").orElseThrow();
            node.kill(first);
            Pid second = context.getBean(RusmEvents.class).awaitRestart(first, Duration.ofSeconds(10));
            assertThat(second.incarnation()).isEqualTo(2);
        });
        runner.run(context -> assertThat(context.getBean(TallyClient.class).add(1))
                .as("another context, another store").isEqualTo(1));
    }

    @Test
    void aPathGivenToTheRunnerWins() {
        runner.withPropertyValues("rusm.kv.path=target/runner-kv").run(context ->
                assertThat(context.getEnvironment().getProperty("rusm.kv.path")).isEqualTo("target/runner-kv"));
    }
}
