package io.rusm.spring;

import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.spring.fixtures.Journal;
import io.rusm.spring.fixtures.good.CounterClient;
import io.rusm.spring.fixtures.good.GoodConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration's conditions: what it creates by default, when it backs off, when it is off. */
class RusmAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class));

    @Test
    void defaultsCreateTheNodeTheServicesAndTheLifecycle() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(Node.class).hasSingleBean(ResidentServices.class)
                    .hasSingleBean(RusmLifecycle.class).hasSingleBean(RusmProperties.class);
            assertThat(context).getBean("rusmNode").isSameAs(context.getBean(Node.class));
            // No auto-configuration package registered: nothing to scan, an empty root supervisor runs.
            RusmLifecycle lifecycle = context.getBean(RusmLifecycle.class);
            assertThat(lifecycle.isRunning()).isTrue();
            assertThat(lifecycle.getPhase()).isEqualTo(RusmLifecycle.PHASE);
            assertThat(lifecycle.root().isAlive()).isTrue();
            assertThat(lifecycle.root().name()).isEqualTo("rusm");
            assertThat(context.getBean(ResidentServices.class).definitions()).isEmpty();
            assertThat(context.getBean(ResidentServices.class).supervisionTree().children()).isEmpty();
            assertThat(context.getBean(Node.class).defaultCallTimeout()).hasSeconds(5);
        });
    }

    @Test
    void findsServicesAndClientsInTheAutoConfigurationPackages() {
        runner.withUserConfiguration(GoodConfig.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ResidentServices.class).definitions()).containsOnlyKeys("counter", "slow");
            assertThat(context).hasSingleBean(CounterClient.class);
            Node node = context.getBean(Node.class);
            assertThat(node.whereis("counter")).isPresent();
            assertThat(node.whereis("slow")).isPresent();
            assertThat(context.getBean(CounterClient.class).bump(2)).isEqualTo(2);
        });
    }

    @Test
    void disabledCreatesNoRusmBeansAtAll() {
        runner.withUserConfiguration(GoodConfig.class).withPropertyValues("rusm.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(Node.class).doesNotHaveBean(ResidentServices.class)
                    .doesNotHaveBean(RusmLifecycle.class).doesNotHaveBean(RusmProperties.class)
                    .doesNotHaveBean(CounterClient.class);
            assertThat(Arrays.stream(context.getBeanDefinitionNames())
                    .filter(n -> n.startsWith(ResidentComponentsRegistrar.SERVICE_BEAN_PREFIX))).isEmpty();
            assertThat(context).hasSingleBean(Journal.class); // the user's own beans are untouched
        });
    }

    @Test
    void aUserDefinedNodeWins() {
        runner.withUserConfiguration(GoodConfig.class)
                .withBean("myNode", Node.class, () -> Node.builder().name("custom").build())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(Node.class).doesNotHaveBean("rusmNode");
                    Node node = context.getBean("myNode", Node.class);
                    // The services run on the user's node, and the clients talk to it.
                    Pid counter = node.whereis("counter").orElseThrow();
                    assertThat(counter.node()).isEqualTo("custom");
                    assertThat(context.getBean(CounterClient.class).bump(3)).isEqualTo(3);
                });
    }
}
