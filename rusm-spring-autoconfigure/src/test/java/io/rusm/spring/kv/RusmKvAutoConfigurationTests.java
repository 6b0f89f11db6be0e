package io.rusm.spring.kv;

import io.rusm.Kv;
import io.rusm.ProcessCrashedException;
import io.rusm.kv.KvStore;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.RusmConfigurationException;
import io.rusm.spring.kv.fixtures.DurableCounterClient;
import io.rusm.spring.kv.fixtures.DurableCounterConfig;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The {@code Kv} bean, the store behind it, and what happens when that store cannot open. */
@Timeout(60)
class RusmKvAutoConfigurationTests {
    @TempDir
    Path dir;

    private final ApplicationContextRunner rusm = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmKvAutoConfiguration.class));

    private ApplicationContextRunner counterApp(Path kvPath) {
        return rusm.withUserConfiguration(DurableCounterConfig.class).withPropertyValues("rusm.kv.path=" + kvPath);
    }

    // ---- a durable service ------------------------------------------------------------------

    @Test
    void aServiceStateSurvivesACrashAndAnApplicationRestart() {
        Path kvPath = dir.resolve("rusm-data");
        counterApp(kvPath).run(context -> {
            assertThat(context).hasNotFailed();
            DurableCounterClient counter = context.getBean(DurableCounterClient.class);
            counter.increment();
            counter.increment();
            assertThat(counter.increment()).isEqualTo(3);

            assertThatThrownBy(counter::crash).isInstanceOf(ProcessCrashedException.class);
            // the supervisor restarts it with a fresh instance, whose constructor reads the count back
            await("restarted with its state").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> counter.current() == 3);
            assertThat(counter.increment()).isEqualTo(4);
        });
        // a new application on the same directory
        counterApp(kvPath).run(context -> {
            DurableCounterClient counter = context.getBean(DurableCounterClient.class);
            assertThat(counter.current()).isEqualTo(4);
        });
    }

    @Test
    void theStoreClosesAfterTheServicesStopped() {
        Path kvPath = dir.resolve("rusm-data");
        counterApp(kvPath).run(context -> context.getBean(DurableCounterClient.class).increment());
        // @PreDestroy wrote on shutdown, so the store was still open; and it was closed (unlocked) after
        try (KvStore store = KvStore.embedded(kvPath)) {
            Kv kv = store.forComponent("durableCounter");
            assertThat(kv.get("stopped-cleanly", Boolean.class)).contains(true);
            assertThat(kv.get("count", Long.class)).contains(1L);
        }
    }

    @Test
    void theKvBeanOutsideAServiceSaysWhatToUseInstead() {
        counterApp(dir.resolve("rusm-data")).run(context -> {
            Kv kv = context.getBean(Kv.class);
            assertThatThrownBy(() -> kv.get("count", Long.class))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("outside a rusm process")
                    .hasMessageContaining("KvStore.forComponent(name)");
            // which works: the same entries the service sees
            context.getBean(DurableCounterClient.class).increment();
            assertThat(context.getBean(KvStore.class).forComponent("durableCounter").get("count", Long.class)).contains(1L);
        });
    }

    @Test
    void anApplicationThatDoesNotUseKvCreatesNoFiles() {
        Path kvPath = dir.resolve("rusm-data");
        rusm.withPropertyValues("rusm.kv.path=" + kvPath).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(KvStore.class);
            assertThat(kvPath).doesNotExist();
        });
    }

    @Test
    void disabledRusmHasNoKv() {
        rusm.withPropertyValues("rusm.enabled=false").run(context -> assertThat(context).doesNotHaveBean(KvStore.class)
                .doesNotHaveBean(Kv.class));
    }

    // ---- the JDBC store ---------------------------------------------------------------------

    @Test
    void theJdbcStoreKeepsEntriesInTheApplicationsDataSource() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:kv-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        counterApp(dir.resolve("unused")).withPropertyValues("rusm.kv.store=jdbc")
                .withBean(DataSource.class, () -> h2)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(DurableCounterClient.class).increment()).isEqualTo(1);
                    try (Connection c = h2.getConnection();
                         ResultSet rs = c.createStatement().executeQuery(
                                 "SELECT item_value FROM rusm_kv WHERE namespace = 'durableCounter' AND item_key = 'count'")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).isEqualTo("1");
                    }
                });
        assertThat(dir.resolve("unused")).doesNotExist();
    }

    @Test
    void theJdbcStoreWithoutADataSourceFailsStartupNamingTheProperty() {
        counterApp(dir.resolve("unused")).withPropertyValues("rusm.kv.store=jdbc").run(context -> {
            assertThat(context).hasFailed();
            RusmConfigurationException cause = findCause(context.getStartupFailure(), RusmConfigurationException.class);
            assertThat(cause).as("startup failure %s", context.getStartupFailure()).isNotNull();
            assertThat(cause.property()).isEqualTo("rusm.kv.store");
            assertThat(cause.getMessage()).contains("DataSource");
        });
    }

    // ---- a store that cannot open -----------------------------------------------------------

    @Test
    void aPathUnderARegularFileFailsStartupWithAReportNamingThePropertyAndTheCause() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");
        Path kvPath = file.resolve("rusm-data");
        counterApp(kvPath).run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getDescription())
                    .contains("rusm.kv.path=" + kvPath)
                    .contains("cannot open the embedded Kv store")
                    .contains(kvPath.toString());
            assertThat(analysis.getAction()).contains("rusm.kv.path");
        });
    }

    @Test
    void aStoreLockedByAnotherInstanceFailsStartupWithAReportNamingThePropertyAndTheCause() {
        Path kvPath = dir.resolve("rusm-data");
        try (KvStore other = KvStore.embedded(kvPath)) {
            counterApp(kvPath).run(context -> {
                FailureAnalysis analysis = analyze(context.getStartupFailure());
                assertThat(analysis.getDescription()).contains("rusm.kv.path=" + kvPath).contains("locked");
                assertThat(analysis.getAction()).contains("one running instance");
            });
        }
    }

    @Test
    void theFailureAnalyzerIsRegisteredWithSpringBoot() {
        // analyzers of other modules may need constructor arguments: skip those, ours needs none
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                .load(FailureAnalyzer.class, (factoryType, implementationName, failure) -> { });
        assertThat(analyzers).hasAtLeastOneElementOfType(KvStoreFailureAnalyzer.class);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static FailureAnalysis analyze(Throwable startupFailure) {
        assertThat(startupFailure).as("startup failed").isNotNull();
        KvStoreOpenException cause = findCause(startupFailure, KvStoreOpenException.class);
        assertThat(cause).as("startup failure %s", startupFailure).isNotNull();
        FailureAnalysis analysis = new KvStoreFailureAnalyzer().analyze(startupFailure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getCause()).isSameAs(cause);
        return analysis;
    }

    private static <E extends Throwable> E findCause(Throwable failure, Class<E> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }
}
