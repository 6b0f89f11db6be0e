package io.rusm.spring;

import io.rusm.Node;
import io.rusm.spring.fixtures.enable.EnableByClassConfig;
import io.rusm.spring.fixtures.enable.EnableConfig;
import io.rusm.spring.fixtures.external.GreeterClient;
import io.rusm.spring.fixtures.good.CounterClient;
import io.rusm.spring.fixtures.good.GoodConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code @EnableRusmClients} adds packages outside the auto-configuration packages. */
class EnableRusmClientsTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class));

    @Test
    void basePackagesFindsServicesAndClientsElsewhere() {
        runner.withUserConfiguration(EnableConfig.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ResidentServices.class).definitions()).containsOnlyKeys("greeter");
            assertThat(context.getBean(Node.class).whereis("greeter")).isPresent();
            GreeterClient greeter = context.getBean(GreeterClient.class);
            assertThat(greeter.greet("ada")).isEqualTo("hello ada #1");
            assertThat(greeter.greet("bob")).isEqualTo("hello bob #2");
        });
    }

    @Test
    void basePackageClassesWorksToo() {
        runner.withUserConfiguration(EnableByClassConfig.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(GreeterClient.class).greet("cy")).isEqualTo("hello cy #1");
        });
    }

    @Test
    void addsToTheAutoConfigurationPackagesInsteadOfReplacingThem() {
        runner.withUserConfiguration(GoodConfig.class, EnableConfig.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ResidentServices.class).definitions()).containsOnlyKeys("counter", "slow", "greeter");
            assertThat(context.getBean(GreeterClient.class).greet("di")).isEqualTo("hello di #1");
            assertThat(context.getBean(CounterClient.class).bump(1)).isEqualTo(1);
        });
    }

    @Test
    void withoutItTheOtherPackagesAreNotScanned() {
        runner.withUserConfiguration(GoodConfig.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(GreeterClient.class);
            assertThat(context.getBean(ResidentServices.class).definitions()).doesNotContainKey("greeter");
        });
    }

    @Test
    void rusmDisabledTurnsItOffToo() {
        runner.withUserConfiguration(EnableConfig.class).withPropertyValues("rusm.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(GreeterClient.class).doesNotHaveBean(Node.class);
        });
    }
}
