package io.rusm.spring;

import io.rusm.ServiceDefinitionException;
import io.rusm.spring.fixtures.badclient.BadClientConfig;
import io.rusm.spring.fixtures.badservice.BadServiceConfig;
import io.rusm.spring.fixtures.duplicate.DuplicateConfig;
import io.rusm.spring.fixtures.failstart.FailStartConfig;
import io.rusm.spring.fixtures.good.GoodConfig;
import io.rusm.spring.fixtures.orphanclient.OrphanClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration mistake fails startup, and the failure analyzers turn it into a report that
 * names the property (or the class) and says how to fix it.
 */
class RusmConfigurationFailureTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
            .withUserConfiguration(GoodConfig.class);

    // ---- rusm.* properties ------------------------------------------------------------------

    @Test
    void componentWithNoService() {
        assertRusmFailure(runner.withPropertyValues("rusm.components.nope.restart=permanent"), "rusm.components.nope",
                analysis -> {
                    assertThat(analysis.getDescription()).contains("no @ResidentService named 'nope'").contains("counter", "slow");
                    assertThat(analysis.getAction()).contains("@ResidentService(\"nope\")").contains("rusm.components.nope");
                });
    }

    @Test
    void componentWithNoServiceWhenNothingWasFound() {
        assertRusmFailure(new ApplicationContextRunner()
                        .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
                        .withPropertyValues("rusm.components.counter.call-timeout=1s"), "rusm.components.counter",
                analysis -> assertThat(analysis.getDescription()).contains("no services were found"));
    }

    @Test
    void negativeHibernateAfter() {
        runner.withPropertyValues("rusm.hibernate-after=-1s").run(context -> assertThat(
                findCause(context.getStartupFailure(), RusmConfigurationException.class))
                .hasMessage("rusm.hibernate-after must be zero or positive, was -1s"));
        assertRusmFailure(runner.withPropertyValues("rusm.hibernate-after=-1s"), "rusm.hibernate-after",
                analysis -> assertThat(analysis.getAction()).contains("Set rusm.hibernate-after to a duration"));
    }

    @Test
    void negativeComponentHibernateAfter() {
        assertRusmFailure(runner.withPropertyValues("rusm.components.counter.hibernate-after=-5s"), "rusm.components.counter.hibernate-after",
                analysis -> assertThat(analysis.getDescription()).contains("must be zero or positive, was -5s"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "rusm.supervisor.period, 0s",
            "rusm.supervisor.period, -1s",
            "rusm.supervisors.caches.period, 0s",
            "rusm.supervisors.caches.period, -1500ms",
            "rusm.components.counter.max-memory-mb, 0",
            "rusm.components.counter.max-memory-mb, -64",
            "rusm.components.counter.mailbox-capacity, 0",
            "rusm.components.counter.mailbox-capacity, -1",
            "rusm.components.counter.call-timeout, 0s",
            "rusm.components.counter.call-timeout, -5s",
            "rusm.call-timeout, 0s",
            "rusm.call-timeout, -1s",
    })
    void nonPositiveValues(String property, String value) {
        runner.withPropertyValues(property + "=" + value).run(context -> assertThat(
                findCause(context.getStartupFailure(), RusmConfigurationException.class))
                .as("the message alone (what logs and test failures show) names the property and the value as written")
                .hasMessage(property + " must be positive, was " + value));
        assertRusmFailure(runner.withPropertyValues(property + "=" + value), property, analysis -> {
            assertThat(analysis.getDescription()).contains("must be positive");
            assertThat(analysis.getAction()).contains("Set " + property + " to a value greater than zero");
        });
    }

    @ParameterizedTest(name = "{0}=-1")
    @CsvSource({"rusm.supervisor.intensity", "rusm.supervisors.caches.intensity"})
    void negativeIntensity(String property) {
        runner.withPropertyValues(property + "=-1").run(context -> assertThat(
                findCause(context.getStartupFailure(), RusmConfigurationException.class))
                .hasMessage(property + " must be zero or positive, was -1"));
    }

    @Test
    void intensityZeroIsAllowedAsInOtp() {
        runner.withPropertyValues("rusm.supervisor.intensity=0", "rusm.supervisors.caches.intensity=0")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void negativeShutdownTimeout() {
        assertRusmFailure(runner.withPropertyValues("rusm.components.counter.shutdown-timeout=-1s"),
                "rusm.components.counter.shutdown-timeout",
                analysis -> assertThat(analysis.getAction()).contains("rusm.components.counter.shutdown-timeout"));
    }

    @Test
    void unknownParentSupervisorOfAComponent() {
        assertRusmFailure(runner.withPropertyValues("rusm.supervisors.caches.intensity=2",
                        "rusm.components.counter.supervisor=cashes"), "rusm.components.counter.supervisor",
                analysis -> {
                    assertThat(analysis.getDescription()).contains("no supervisor named 'cashes'").contains("caches");
                    assertThat(analysis.getAction()).contains("rusm.supervisors.cashes");
                });
    }

    @Test
    void unknownParentSupervisorOfASupervisor() {
        assertRusmFailure(runner.withPropertyValues("rusm.supervisors.caches.supervisor=nowhere"),
                "rusm.supervisors.caches.supervisor",
                analysis -> assertThat(analysis.getDescription()).contains("no supervisor named 'nowhere'"));
    }

    @Test
    void cyclicSupervisors() {
        assertRusmFailure(runner.withPropertyValues("rusm.supervisors.a.supervisor=b", "rusm.supervisors.b.supervisor=c",
                        "rusm.supervisors.c.supervisor=a"), "rusm.supervisors.a.supervisor",
                analysis -> {
                    assertThat(analysis.getDescription()).contains("cycle").contains("a -> b -> c -> a");
                    assertThat(analysis.getAction()).contains("root");
                });
    }

    @Test
    void supervisorNamedLikeAServiceOrTheRoot() {
        assertRusmFailure(runner.withPropertyValues("rusm.supervisors.counter.intensity=2"), "rusm.supervisors.counter",
                analysis -> assertThat(analysis.getDescription()).contains("already taken by a service"));
        assertRusmFailure(runner.withPropertyValues("rusm.supervisors.rusm.intensity=2"), "rusm.supervisors.rusm",
                analysis -> assertThat(analysis.getDescription()).contains("root supervisor"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "rusm.components.counter.restrat, restart",
            "rusm.components.counter.max-memory, max-memory-mb",
            "rusm.supervisors.caches.restrat, restart",
            "rusm.supervisors.caches.intensty, intensity",
    })
    void anUnknownKeyUnderAComponentOrASupervisorFailsStartup(String property, String meant) {
        String entry = property.substring(0, property.lastIndexOf('.'));
        String key = property.substring(property.lastIndexOf('.') + 1);
        assertRusmFailure(runner.withPropertyValues(property + "=temporary"), property, analysis -> {
            assertThat(analysis.getDescription()).contains("'" + key + "' is not a property of " + entry)
                    .contains("known: ").contains(meant);
            assertThat(analysis.getAction()).contains("Did you mean " + entry + "." + meant + "?");
        });
    }

    @Test
    void everySpellingTheBinderAcceptsIsKnown() {
        runner.withPropertyValues("rusm.components.counter.maxMemoryMb=64", "rusm.components.counter.mailbox_capacity=5",
                "rusm.supervisors.caches.intensity=2").run(context -> assertThat(context).hasNotFailed());
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                        new org.springframework.core.env.SystemEnvironmentPropertySource("test-systemEnvironment",
                                java.util.Map.of("RUSM_COMPONENTS_COUNTER_MAXMEMORYMB", "64", "RUSM_COMPONENTS_COUNTER_RESTRAT", "x"))))
                .run(context -> {
                    RusmConfigurationException e = findCause(context.getStartupFailure(), RusmConfigurationException.class);
                    assertThat(e).as("the environment variable for max-memory-mb binds; the misspelt one is reported").isNotNull();
                    assertThat(e.property()).isEqualTo("rusm.components.counter.restrat");
                });
    }

    @Test
    void theKnownKeysAreListed() {
        assertRusmFailure(runner.withPropertyValues("rusm.components.counter.replicas=3"),
                "rusm.components.counter.replicas", analysis -> assertThat(analysis.getDescription()).contains(
                        "known: call-timeout, hibernate-after, idle-timeout, mailbox-capacity, max-memory-mb, placement, resident, restart, runtime, "
                                + "shutdown-timeout, supervisor"));
        assertRusmFailure(runner.withPropertyValues("rusm.supervisors.caches.children=cache"),
                "rusm.supervisors.caches.children", analysis -> assertThat(analysis.getDescription()).contains(
                        "known: intensity, period, restart, strategy, supervisor"));
    }

    // ---- values Spring Boot itself cannot bind ----------------------------------------------

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "rusm.supervisor.strategy | bogus | one-for-one, one-for-all, rest-for-one",
            "rusm.supervisors.caches.strategy | bogus | one-for-one, one-for-all, rest-for-one",
            "rusm.components.counter.restart | sometimes | permanent, transient, temporary",
            "rusm.supervisor.on-root-escalation | panic | mark-broken, shutdown",
            "rusm.kv.store | redis | embedded, jdbc",
            "rusm.components.counter.placement | anywhere | node, singleton, keyed",
    })
    void enumBindFailuresListTheDocumentedSpellings(String property, String value, String documented) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new RusmEnumBindFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).startsWith("Invalid rusm configuration at '" + property + "': '"
                    + value + "' is not one of ").contains(documented).doesNotContain("_");
            assertThat(analysis.getAction()).startsWith("Set " + property + " to one of: " + documented);
        });
    }

    @Test
    void theEnumAnalyzerRunsBeforeBootsBindAnalyzer() {
        assertThat(org.springframework.core.annotation.OrderUtils.getOrder(RusmEnumBindFailureAnalyzer.class))
                .isEqualTo(org.springframework.core.Ordered.HIGHEST_PRECEDENCE);
    }

    @Test
    void unknownStrategyIsABindFailureNamingTheProperty() {
        assertBindFailure(runner.withPropertyValues("rusm.supervisor.strategy=one-for-some"), "rusm.supervisor.strategy");
        assertBindFailure(runner.withPropertyValues("rusm.supervisors.caches.strategy=all-for-none"),
                "rusm.supervisors.caches.strategy");
    }

    @Test
    void unknownRestartTypeIsABindFailureNamingTheProperty() {
        assertBindFailure(runner.withPropertyValues("rusm.components.counter.restart=sometimes"), "rusm.components.counter.restart");
    }

    @Test
    void unknownOnRootEscalationIsABindFailureNamingTheProperty() {
        assertBindFailure(runner.withPropertyValues("rusm.supervisor.on-root-escalation=panic"),
                "rusm.supervisor.on-root-escalation");
    }

    // ---- services and clients ---------------------------------------------------------------

    @Test
    void twoServicesWithTheSameName() {
        ApplicationContextRunner duplicate = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
                .withUserConfiguration(DuplicateConfig.class);
        assertRusmFailure(duplicate, "@ResidentService(\"same\")", analysis -> {
            assertThat(analysis.getDescription()).contains("two services are named 'same'")
                    .contains("io.rusm.spring.fixtures.duplicate.First", "io.rusm.spring.fixtures.duplicate.Second");
            assertThat(analysis.getAction()).contains("@ResidentService(\"...\")");
        });
    }

    @Test
    void clientMethodWithNoMatchingHandler() {
        ApplicationContextRunner badClient = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
                .withUserConfiguration(BadClientConfig.class);
        badClient.run(context -> {
            assertThat(context).hasFailed();
            ServiceDefinitionException cause = findCause(context.getStartupFailure(), ServiceDefinitionException.class);
            assertThat(cause).as("startup failure %s", context.getStartupFailure()).isNotNull();
            assertThat(cause.getMessage()).contains("EchoClient").contains("shout");
            FailureAnalysis analysis = new ServiceDefinitionFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("shout").contains("EchoClient");
            assertThat(analysis.getAction()).contains("@ServiceClient").contains("@ResidentService");
        });
    }

    @Test
    void clientOfAComponentThatHasNoService() {
        ApplicationContextRunner orphan = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
                .withUserConfiguration(OrphanClientConfig.class);
        assertRusmFailure(orphan, "@ServiceClient(\"ghost\")", analysis -> {
            assertThat(analysis.getDescription()).contains("GhostClient").contains("no @ResidentService named 'ghost'")
                    .contains("[echo]");
            assertThat(analysis.getAction()).contains("@ResidentService(\"ghost\")").contains("@ServiceClient");
        });
    }

    @Test
    void serviceClassRusmCannotRun() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
                .withUserConfiguration(BadServiceConfig.class)
                .run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = new ServiceDefinitionFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis).as("startup failure %s", context.getStartupFailure()).isNotNull();
                    assertThat(analysis.getDescription()).contains("Broken").contains("stop").contains("parameters");
                });
    }

    @Test
    void serviceThatCannotStartFailsStartupNamingIt() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
                .withUserConfiguration(FailStartConfig.class)
                .run(context -> {
                    assertThat(context).hasFailed();
                    Throwable failure = context.getStartupFailure();
                    assertThat(failure).hasStackTraceContaining("doomed")
                            .hasStackTraceContaining("cannot open the thing it needs");
                    assertThat(findCause(failure, IllegalStateException.class)).isNotNull()
                            .hasMessage("cannot open the thing it needs");
                });
    }

    @Test
    void bothAnalyzersAreRegisteredWithSpringBoot() {
        // Spring Boot's own analyzers need constructor arguments; skip those, ours need none.
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                .load(FailureAnalyzer.class, SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> { }));
        assertThat(analyzers).hasAtLeastOneElementOfType(RusmFailureAnalyzer.class)
                .hasAtLeastOneElementOfType(ServiceDefinitionFailureAnalyzer.class);
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static void assertRusmFailure(ApplicationContextRunner runner, String property, Consumer<FailureAnalysis> more) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            RusmConfigurationException cause = findCause(failure, RusmConfigurationException.class);
            assertThat(cause).as("startup failure %s", failure).isNotNull();
            assertThat(cause.property()).isEqualTo(property);
            FailureAnalysis analysis = new RusmFailureAnalyzer().analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).startsWith("Invalid rusm configuration at '" + property + "'");
            assertThat(analysis.getAction()).isNotBlank();
            assertThat(analysis.getCause()).isSameAs(cause);
            more.accept(analysis);
        });
    }

    private static void assertBindFailure(ApplicationContextRunner runner, String property) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            BindException bind = findCause(context.getStartupFailure(), BindException.class);
            assertThat(bind).as("startup failure %s", context.getStartupFailure()).isNotNull();
            assertThat(bind.getProperty().getName().toString()).isEqualTo(property);
            assertThat(bind.getMessage()).contains(property);
        });
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }
}
