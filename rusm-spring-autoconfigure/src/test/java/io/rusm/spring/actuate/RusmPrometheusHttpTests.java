package io.rusm.spring.actuate;

import io.micrometer.observation.Observation;
import io.rusm.Node;
import io.rusm.spring.actuate.fixtures.ObservedApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.rusm.spring.actuate.RunningApp.series;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters as a Prometheus server scrapes them from {@code /actuator/prometheus} of a real
 * application, after {@link Workload} went through every outcome and supervision event.
 */
class RusmPrometheusHttpTests {

    private RunningApp app;

    @AfterEach
    void close() {
        if (app != null) app.close();
    }

    @Test
    void prometheusNamesLabelsAndValues() throws Exception {
        app = RunningApp.start();
        Node node = app.node();
        Workload work = new Workload(app.context);

        Map<String, Double> before = app.prometheus();
        assertThat(before).containsEntry(series("rusm_processes_live"), (double) node.processCount());
        assertThat(before).containsEntry(series("rusm_mailbox_size", "service=counter"), 0.0)
                .containsEntry(series("rusm_mailbox_size", "service=gate"), 0.0)
                .containsEntry(series("rusm_mailbox_size", "service=cache"), 0.0)
                .containsEntry(series("rusm_mailbox_size", "service=store"), 0.0);
        assertThat(before.keySet()).noneMatch(s -> s.startsWith("rusm_process_restarts_total"));

        work.okErrorCrash();
        work.timeoutAndFull();
        assertThat(app.prometheus()).as("two messages wait behind the held handler")
                .containsEntry(series("rusm_mailbox_size", "service=gate"), 2.0);
        assertThat(app.json("/actuator/health/rusm/gate").at("/details/mailboxSize").asInt()).isEqualTo(2);
        assertThat(RusmHealthHttpTests.child(app.json("/actuator/rusm").path("root"), "gate").path("mailboxSize").asInt()).isEqualTo(2);
        work.release();
        work.noprocAndUndeclaredMethod();
        work.anonymous();
        work.escalateCaches();
        work.kill();

        Map<String, Double> after = app.prometheus();
        assertThat(after)
                .containsEntry(series("rusm_process_restarts_total", "service=counter", "supervisor=rusm"), 2.0)
                .containsEntry(series("rusm_process_restarts_total", "service=cache", "supervisor=caches"), 1.0)
                .containsEntry(series("rusm_process_crashes_total", "service=counter", "reason=crashed"), 1.0)
                .containsEntry(series("rusm_process_crashes_total", "service=counter", "reason=killed"), 1.0)
                .containsEntry(series("rusm_process_crashes_total", "service=cache", "reason=crashed"), 2.0)
                .containsEntry(series("rusm_process_crashes_total", "service=other", "reason=crashed"), 1.0)
                .containsEntry(series("rusm_supervisor_escalations_total", "supervisor=caches"), 1.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=counter", "method=bump", "location=local", "outcome=ok"), 2.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=counter", "method=reject", "location=local", "outcome=error"), 1.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=counter", "method=crash", "location=local", "outcome=crashed"), 1.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=gate", "method=hold", "location=local", "outcome=timeout"), 1.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=gate", "method=pings", "location=local", "outcome=full"), 1.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=other", "method=other", "location=local", "outcome=noproc"), 1.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=cache", "method=get", "location=local", "outcome=noproc"), 1.0)
                .containsEntry(series("rusm_calls_seconds_count", "service=counter", "method=other", "location=local", "outcome=error"), 1.0)
                .containsEntry(series("rusm_processes_live"), (double) node.processCount())
                .containsEntry(series("rusm_mailbox_size", "service=gate"), 0.0);
        assertThat(after.get(series("rusm_calls_seconds_sum", "service=gate", "method=hold", "location=local", "outcome=timeout")))
                .as("the caller waited its 1 s timeout").isGreaterThanOrEqualTo(1.0);
        assertThat(after.keySet()).as("no histogram unless asked for").noneMatch(s -> s.startsWith("rusm_calls_seconds_bucket"));
        assertThat(after.keySet()).as("no pid or incarnation label")
                .filteredOn(s -> s.startsWith("rusm_"))
                .noneMatch(s -> s.contains("pid=") || s.contains("incarnation=") || s.contains("<"));

        // The same calls through the application's ObservationRegistry: one rusm.call each.
        List<Observation.Context> observed = app.bean(ObservedApp.RecordingHandler.class).stopped;
        assertThat(observed).anySatisfy(c -> assertObservation(c, "counter", "bump", "ok"))
                .anySatisfy(c -> assertObservation(c, "counter", "reject", "error"))
                .anySatisfy(c -> assertObservation(c, "counter", "crash", "crashed"))
                .anySatisfy(c -> assertObservation(c, "gate", "hold", "timeout"))
                .anySatisfy(c -> assertObservation(c, "gate", "pings", "full"))
                .anySatisfy(c -> assertObservation(c, "cache", "get", "noproc"));
        assertThat(observed).filteredOn(c -> "bump".equals(value(c, "method"))).hasSize(2);
    }

    @Test
    void callsTimerPublishesHistogramBucketsWhenEnabled() {
        app = RunningApp.start("management.metrics.distribution.percentiles-histogram.rusm.calls=true");
        Workload work = new Workload(app.context);
        work.counter.bump(1);

        Map<String, Double> scrape = app.prometheus();
        assertThat(scrape).containsEntry(series("rusm_calls_seconds_bucket", "service=counter", "method=bump", "location=local",
                "outcome=ok", "le=+Inf"), 1.0);
        assertThat(scrape.keySet()).filteredOn(s -> s.startsWith("rusm_calls_seconds_bucket")).hasSizeGreaterThan(10);
    }

    private static void assertObservation(Observation.Context c, String service, String method, String outcome) {
        assertThat(c.getName()).isEqualTo("rusm.call");
        assertThat(value(c, "service")).isEqualTo(service);
        assertThat(value(c, "method")).isEqualTo(method);
        assertThat(value(c, "outcome")).isEqualTo(outcome);
    }

    private static String value(Observation.Context c, String key) {
        var kv = c.getLowCardinalityKeyValue(key);
        return kv == null ? null : kv.getValue();
    }
}
