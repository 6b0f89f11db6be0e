package io.rusm.spring.kv;

import io.rusm.Node;
import io.rusm.internal.timer.ServiceReminders;
import io.rusm.kv.KvStore;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.kv.remind.Nightly;
import io.rusm.spring.kv.remind.RemindConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With the starter, a reminder of a {@code resident: false} service that came due while the
 * application was down starts that service when the application is back, nothing else calling it.
 */
@Timeout(60)
class RusmOnDemandReminderTests {
    @TempDir
    Path dir;

    @Test
    void aDueReminderStartsTheIdleOnDemandServiceOfTheNextApplication() throws Exception {
        Nightly.FIRED.clear();
        Path kvPath = dir.resolve("rusm-data");
        long now = System.currentTimeMillis();
        try (KvStore store = KvStore.embedded(kvPath)) { // what the previous run left: due a second ago, hourly
            store.forComponent("nightly").put("rusm.reminder.compact", new ServiceReminders.State(now - 1_000, Duration.ofHours(1).toMillis(), Long.MIN_VALUE));
        }
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmKvAutoConfiguration.class))
                .withUserConfiguration(RemindConfig.class)
                .withPropertyValues("rusm.kv.path=" + kvPath, "rusm.components.nightly.resident=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(Nightly.FIRED.poll(10, TimeUnit.SECONDS)).as("started for its reminder").isEqualTo("1:compact");
                    assertThat(context.getBean(Node.class).whereis("nightly")).isPresent();
                    assertThat(Nightly.FIRED).isEmpty();
                });
    }
}
