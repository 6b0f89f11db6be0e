package io.rusm.spring;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.spring.fixtures.crashy.CrashyClient;
import io.rusm.spring.fixtures.crashy.CrashyConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * When the root supervisor gives up, the application is marked broken (liveness BROKEN), or, with
 * {@code on-root-escalation: shutdown}, its context is closed.
 */
class RootEscalationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class))
            .withUserConfiguration(CrashyConfig.class)
            .withBean(LivenessEvents.class)
            .withPropertyValues("rusm.supervisor.intensity=1", "rusm.supervisor.period=1m");

    @Test
    void rootEscalationMarksLivenessBrokenAndReadinessRefusing() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            // What SpringApplication publishes once it runs; the runner does not.
            AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
            ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
            assertThat(availability.getLivenessState()).isEqualTo(LivenessState.CORRECT);

            crashTwice(context);

            await().atMost(Duration.ofSeconds(10)).until(availability::getLivenessState, LivenessState.BROKEN::equals);
            assertThat(availability.getReadinessState()).as("no traffic for services that are all gone")
                    .isEqualTo(ReadinessState.REFUSING_TRAFFIC);
            assertThat(context.getBean(LivenessEvents.class).states).containsExactly(LivenessState.CORRECT, LivenessState.BROKEN);
            RusmLifecycle lifecycle = context.getBean(RusmLifecycle.class);
            assertThat(lifecycle.root().exitFuture().get(10, TimeUnit.SECONDS)).isEqualTo(ExitReason.ESCALATED);
            assertThat(context.getBean(Node.class).whereis("crashy")).isEmpty();
            assertThat(context.isActive()).as("mark-broken leaves the context up").isTrue();
        });
    }

    @Test
    void rootEscalationWithShutdownClosesTheContext() {
        runner.withPropertyValues("rusm.supervisor.on-root-escalation=shutdown").run(context -> {
            assertThat(context).hasNotFailed();
            LivenessEvents events = context.getBean(LivenessEvents.class);
            RusmLifecycle lifecycle = context.getBean(RusmLifecycle.class);
            crashTwice(context);
            await().atMost(Duration.ofSeconds(15)).until(() -> !context.isActive());
            assertThat(lifecycle.root().exitFuture().getNow(null)).isEqualTo(ExitReason.ESCALATED);
            assertThat(lifecycle.isRunning()).isFalse();
            assertThat(events.states).doesNotContain(LivenessState.BROKEN);
        });
    }

    /** Intensity 1: one restart is allowed, the second crash is one too many and the root escalates. */
    private static void crashTwice(AssertableApplicationContext context) {
        Node node = context.getBean(Node.class);
        CrashyClient crashy = context.getBean(CrashyClient.class);
        Pid first = node.whereis("crashy").orElseThrow();
        assertThatThrownBy(crashy::boom).isInstanceOf(ProcessCrashedException.class);
        Pid second = await().atMost(Duration.ofSeconds(10))
                .until(() -> node.whereis("crashy").orElse(first), pid -> !pid.equals(first));
        assertThat(context.getBean(RusmLifecycle.class).root().isAlive()).isTrue();
        assertThat(second.incarnation()).isEqualTo(2);
        assertThatThrownBy(crashy::boom).isInstanceOf(ProcessCrashedException.class);
    }

    /** Records every liveness change published in the context. */
    static class LivenessEvents implements ApplicationListener<AvailabilityChangeEvent<?>> {
        final List<Object> states = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
            if (event.getState() instanceof LivenessState) states.add(event.getState());
        }
    }
}
