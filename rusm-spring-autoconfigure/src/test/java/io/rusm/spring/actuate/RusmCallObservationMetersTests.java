package io.rusm.spring.actuate;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.rusm.spring.actuate.fixtures.CounterClient;
import io.rusm.spring.actuate.fixtures.ObservedApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a Boot application with Actuator (Boot's own observation and meter handlers): a call's
 * {@code rusm.call} observation reaches every handler but the meter ones, so {@code rusm.calls} is
 * the one call metric; an application that defines {@code rusmCallObservationMeterFilter} gets
 * the observation's meters as Boot would make them.
 */
class RusmCallObservationMetersTests {
    private RunningApp app;

    @AfterEach
    void close() {
        if (app != null) app.close();
    }

    @Test
    void byDefaultTheObservationMakesNoMetersOfItsOwn() {
        app = RunningApp.start();
        CounterClient counter = app.bean(CounterClient.class);
        counter.bump(1);
        counter.bump(2);
        assertThat(app.get("/actuator/health").status()).isEqualTo(200);

        assertThat(app.bean(ObservedApp.RecordingHandler.class).stopped)
                .as("other handlers still see each call").hasSize(2);
        MeterRegistry meters = app.bean(MeterRegistry.class);
        assertThat(meters.getMeters()).extracting(m -> m.getId().getName())
                .noneMatch(name -> name.equals("rusm.call") || name.startsWith("rusm.call."))
                .contains("http.server.requests"); // Boot's meter handler goes on for everything else
        assertThat(meters.get(MetricNames.CALLS).tag("service", "counter").tag("method", "bump").timer().count()).isEqualTo(2);
    }

    @Test
    void anApplicationFilterOfThatNameKeepsTheObservationsMeters() {
        app = RunningApp.startWith(new Class<?>[]{KeepCallObservationMeters.class});
        app.bean(CounterClient.class).bump(1);

        assertThat(app.context.getBeansOfType(RusmCallMetersSkipped.class)).isEmpty();
        MeterRegistry meters = app.bean(MeterRegistry.class);
        assertThat(meters.get("rusm.call").tag("service", "counter").tag("method", "bump").tag("outcome", "ok")
                .timer().count()).isEqualTo(1);
        assertThat(meters.getMeters()).extracting(Meter::getId).extracting(Meter.Id::getName).contains("rusm.call.active");
        assertThat(meters.get(MetricNames.CALLS).tag("method", "bump").timer().count()).isEqualTo(1);
    }

    @Configuration(proxyBeanMethods = false)
    static class KeepCallObservationMeters {
        @Bean
        MeterFilter rusmCallObservationMeterFilter() {
            return new MeterFilter() {};
        }
    }
}
