package io.rusm.spring.actuate;

import io.micrometer.observation.tck.TestObservationRegistry;
import io.rusm.ProcessCrashedException;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.actuate.fixtures.CounterClient;
import io.rusm.spring.actuate.fixtures.ServicesConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each call through an injected client is one {@code rusm.call} observation with low-cardinality service, method, outcome. */
class RusmObservationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class, RusmHealthAutoConfiguration.class, RusmMetricsAutoConfiguration.class,
                    RusmObservationAutoConfiguration.class, RusmEndpointAutoConfiguration.class))
            .withUserConfiguration(ServicesConfig.class)
            .withBean(TestObservationRegistry.class, TestObservationRegistry::create)
            .withPropertyValues(ServicesConfig.PROPERTIES);

    @Test
    void eachClientCallIsOneObservation() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ObservedClients.class);
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            Workload work = new Workload(context);
            try {
                assertThat(work.counter.total()).isZero();
                assertThat(registry).hasNumberOfObservationsEqualTo(1)
                        .hasSingleObservationThat().hasNameEqualTo("rusm.call").hasBeenStarted().hasBeenStopped()
                        .hasContextualNameEqualTo("counter.total")
                        .hasLowCardinalityKeyValue("service", "counter")
                        .hasLowCardinalityKeyValue("method", "total")
                        .hasLowCardinalityKeyValue("outcome", "ok")
                        .doesNotHaveError();

                work.okErrorCrash();  // bump ×2, reject, crash
                work.timeoutAndFull(); // hold, ping ×2, pings
                work.release();        // pings until 2 arrived
                work.escalateCaches(); // crash ×2, get

                assertThat(registry).hasAnObservation(o -> o.hasNameEqualTo("rusm.call")
                                .hasLowCardinalityKeyValue("service", "counter").hasLowCardinalityKeyValue("method", "reject")
                                .hasLowCardinalityKeyValue("outcome", "error").hasError())
                        .hasAnObservation(o -> o.hasLowCardinalityKeyValue("method", "crash")
                                .hasLowCardinalityKeyValue("service", "counter")
                                .hasLowCardinalityKeyValue("outcome", "crashed").assertThatError().isInstanceOf(ProcessCrashedException.class))
                        .hasAnObservation(o -> o.hasLowCardinalityKeyValue("service", "gate")
                                .hasLowCardinalityKeyValue("method", "hold").hasLowCardinalityKeyValue("outcome", "timeout"))
                        .hasAnObservation(o -> o.hasLowCardinalityKeyValue("service", "gate")
                                .hasLowCardinalityKeyValue("method", "pings").hasLowCardinalityKeyValue("outcome", "full"))
                        .hasAnObservation(o -> o.hasLowCardinalityKeyValue("service", "gate")
                                .hasLowCardinalityKeyValue("method", "ping").hasLowCardinalityKeyValue("outcome", "ok"))
                        .hasAnObservation(o -> o.hasLowCardinalityKeyValue("service", "cache")
                                .hasLowCardinalityKeyValue("method", "get").hasLowCardinalityKeyValue("outcome", "noproc"))
                        .hasAnObservation(o -> o.hasLowCardinalityKeyValue("service", "cache")
                                .hasLowCardinalityKeyValue("method", "crash").hasLowCardinalityKeyValue("outcome", "crashed"));
                // One per call, only the three low-cardinality key values.
                assertThat(registry).forAllObservationsWithNameEqualTo("rusm.call", o -> o.hasNameEqualTo("rusm.call")
                                .doesNotHaveHighCardinalityKeyValueWithKey("service"))
                        .hasHandledContextsThatSatisfy(contexts -> {
                            assertThat(contexts).allSatisfy(c -> {
                                assertThat(c.getName()).isEqualTo("rusm.call");
                                assertThat(c.getLowCardinalityKeyValues().stream().map(kv -> kv.getKey()))
                                        .containsExactlyInAnyOrder("service", "method", "outcome");
                                assertThat(c.getHighCardinalityKeyValues()).isEmpty();
                            });
                            assertThat(contexts).filteredOn(c -> "bump".equals(method(c))).hasSize(2);
                            assertThat(contexts).filteredOn(c -> "ping".equals(method(c))).hasSize(2);
                            assertThat(contexts).filteredOn(c -> "crash".equals(method(c))).hasSize(3);
                            assertThat(contexts).filteredOn(c -> "hold".equals(method(c))).hasSize(1);
                        });
            } finally {
                work.latches.release.countDown();
            }
        });
    }

    /** An asynchronous call's observation ends with its future; the future fails as it would unobserved. */
    @Test
    void anAsyncCallIsObservedUntilItsFutureCompletes() {
        runner.run(context -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            CounterClient counter = context.getBean(CounterClient.class);

            CompletableFuture<String> reply = counter.crashAsync("async boom");
            Throwable failure = reply.handle((value, t) -> t).get(10, TimeUnit.SECONDS);

            assertThat(failure).as("passed on as is, as the unobserved client does: not wrapped in a CompletionException")
                    .isInstanceOf(ProcessCrashedException.class);
            assertThatThrownBy(reply::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(ProcessCrashedException.class);
            assertThat(registry).hasSingleObservationThat().hasBeenStopped()
                    .hasLowCardinalityKeyValue("service", "counter")
                    .hasLowCardinalityKeyValue("outcome", "crashed");
        });
    }

    private static String method(io.micrometer.observation.Observation.Context c) {
        var kv = c.getLowCardinalityKeyValue("method");
        return kv == null ? null : kv.getValue();
    }
}
