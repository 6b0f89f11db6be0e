package io.rusm.spring.wire;

import io.rusm.NoProcessException;
import io.rusm.Node;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmConfigurationException;
import io.rusm.spring.RusmLifecycle;
import io.rusm.spring.wire.ext.ExternalConfig;
import io.rusm.spring.wire.ext.TsCounter;
import io.rusm.spring.wire.fixture.WireConfig;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.WireClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire's auto-configuration: off without a port, on with one, and external components under the root. */
class RusmWireAutoConfigurationTests {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmWireAutoConfiguration.class))
            .withUserConfiguration(WireConfig.class);

    @Test
    void withoutAPortThereIsNoWire() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(RusmWireLifecycle.class).doesNotHaveBean(ExternalServices.class);
        });
    }

    @Test
    void withoutRusmWireOnTheClasspathThereIsNoWire() {
        runner.withClassLoader(new FilteredClassLoader(io.rusm.wire.WireServer.class)).withPropertyValues("rusm.wire.port=0")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(RusmWireLifecycle.class));
    }

    @Test
    void withAPortJavaServicesAnswerOverTheWire() {
        runner.withPropertyValues("rusm.wire.port=0").run(context -> {
            assertThat(context).hasNotFailed();
            RusmWireLifecycle wire = context.getBean(RusmWireLifecycle.class);
            assertThat(wire.isRunning()).isTrue();
            assertThat(wire.getPhase()).isGreaterThan(RusmLifecycle.PHASE);
            try (WireClient client = WireClient.connect("127.0.0.1:" + wire.server().port())) {
                assertThat(client.<Long>call("tally", "add", long.class, 5)).isEqualTo(5L);
            }
        });
    }

    @Test
    void anExternalComponentIsASupervisedProcessAnsweringNoProcessWhileNoHostIsAttached() {
        runner.withUserConfiguration(ExternalConfig.class).withPropertyValues("rusm.wire.port=0", "rusm.components.tscounter.runtime=external",
                "rusm.components.tscounter.max-memory-mb=64").run(context -> {
            assertThat(context).hasNotFailed();
            Node node = context.getBean(Node.class);
            assertThat(node.whereis("tscounter")).isPresent();
            assertThat(context.getBean(ExternalServices.class).declared("tscounter")).hasValueSatisfying(d -> {
                assertThat(d.maxMemoryMb()).isEqualTo(64);
                assertThat(d.returnTypes()).containsKey("bump(long)");
            });
            assertThatThrownBy(() -> context.getBean(TsCounter.class).bump(1)).isInstanceOf(NoProcessException.class);
        });
    }

    @Test
    void anExternalComponentWithoutTheWireFailsStartupNamingTheProperty() {
        runner.withUserConfiguration(ExternalConfig.class).withPropertyValues("rusm.components.tscounter.runtime=external").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOfSatisfying(RusmConfigurationException.class, e -> {
                assertThat(e.property()).isEqualTo("rusm.components.tscounter.runtime");
                assertThat(e.action()).contains("rusm.wire.port");
            });
        });
    }
}
