package io.rusm.spring.actuate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.spring.RusmAutoConfiguration;
import io.rusm.spring.actuate.fixtures.CacheClient;
import io.rusm.spring.actuate.fixtures.CounterClient;
import io.rusm.spring.actuate.fixtures.ServicesConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What rusm logs: a crash once at ERROR with its stack trace, a restart at WARN, an escalation at
 * ERROR, and the service's name and incarnation in the MDC while its handler runs.
 *
 * <p>The module's logback-test.xml turns {@code io.rusm} off to keep the build log quiet; each test
 * turns it on programmatically, captures it, and puts it back. ({@code ApplicationContextRunner}
 * does not reinitialize logging, unlike {@code SpringApplication}.)
 */
class RusmLoggingTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
            .withUserConfiguration(ServicesConfig.class)
            .withPropertyValues(ServicesConfig.PROPERTIES);

    private final Capture capture = new Capture();
    private Logger rusm;
    private Level savedLevel;
    private boolean savedAdditivity;

    @BeforeEach
    void captureRusmLogs() {
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        rusm = logback.getLogger("io.rusm");
        savedLevel = rusm.getLevel();
        savedAdditivity = rusm.isAdditive();
        rusm.setLevel(Level.INFO);
        rusm.setAdditive(false); // captured here, not printed into the build log
        capture.setContext(logback);
        capture.start();
        rusm.addAppender(capture);
    }

    @AfterEach
    void restoreLogging() {
        rusm.detachAppender(capture);
        capture.stop();
        rusm.setLevel(savedLevel);
        rusm.setAdditive(savedAdditivity);
    }

    @Test
    void aCrashIsOneErrorWithItsStackTraceAndItsRestartAWarning() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            Node node = context.getBean(Node.class);
            CounterClient counter = context.getBean(CounterClient.class);
            Pid first = node.whereis("counter").orElseThrow();

            assertThatThrownBy(() -> counter.crash("logged crash")).isInstanceOf(ProcessCrashedException.class);

            ILoggingEvent restart = capture.await(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals("io.rusm.supervisor")
                    && e.getFormattedMessage().contains("restarted 'counter'"));
            assertThat(restart.getFormattedMessage()).contains("supervisor 'rusm'", "<local.counter.2>", "crashed", "logged crash");
            assertThat(restart.getThrowableProxy()).as("the stack trace is logged once, with the crash").isNull();
            assertThat(restart.getMDCPropertyMap()).containsEntry("rusm.service", "rusm");

            List<ILoggingEvent> errors = capture.at(Level.ERROR);
            assertThat(errors).as("one ERROR line per crash").hasSize(1);
            ILoggingEvent crash = errors.getFirst();
            assertThat(crash.getLoggerName()).isEqualTo("io.rusm.process");
            assertThat(crash.getFormattedMessage()).contains(first.toString(), "component 'counter'", "incarnation 1", "crashed",
                    "java.lang.IllegalStateException: logged crash");
            IThrowableProxy stack = crash.getThrowableProxy();
            assertThat(stack).as("with the stack trace").isNotNull();
            assertThat(stack.getClassName()).isEqualTo(IllegalStateException.class.getName());
            assertThat(stack.getMessage()).isEqualTo("logged crash");
            assertThat(stack.getStackTraceElementProxyArray()).isNotEmpty()
                    .anySatisfy(frame -> assertThat(frame.getSTEAsString()).contains("fixtures.Counter.crash"));
            assertThat(crash.getMDCPropertyMap()).containsEntry("rusm.service", "counter").containsEntry("rusm.incarnation", "1");
            assertThat(capture.events.indexOf(crash)).isLessThan(capture.events.indexOf(restart));

            // A kill comes from outside: a WARN without a stack trace, never an ERROR.
            await().atMost(WAIT).until(() -> node.whereis("counter").isPresent());
            Pid second = node.whereis("counter").orElseThrow();
            node.kill(second);
            ILoggingEvent killed = capture.await(e -> e.getLoggerName().equals("io.rusm.process")
                    && e.getFormattedMessage().contains(second.toString()));
            assertThat(killed.getLevel()).isEqualTo(Level.WARN);
            assertThat(killed.getFormattedMessage()).contains("killed");
            assertThat(killed.getThrowableProxy()).isNull();
            capture.await(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("restarted 'counter' as <local.counter.3>"));
            assertThat(capture.at(Level.ERROR)).hasSize(1);
        });
    }

    @Test
    void aNestedEscalationIsAnError() {
        runner.run(context -> {
            Node node = context.getBean(Node.class);
            CacheClient cache = context.getBean(CacheClient.class);
            assertThatThrownBy(() -> cache.crash("first")).isInstanceOf(ProcessCrashedException.class);
            await().atMost(WAIT).until(() -> node.whereis("cache").map(Pid::incarnation).orElse(0L) == 2);
            assertThatThrownBy(() -> cache.crash("second")).isInstanceOf(ProcessCrashedException.class);

            ILoggingEvent escalation = capture.await(e -> e.getFormattedMessage().contains("escalated"));
            assertThat(escalation.getLevel()).isEqualTo(Level.ERROR);
            assertThat(escalation.getLoggerName()).isEqualTo("io.rusm.supervisor");
            assertThat(escalation.getFormattedMessage()).contains("supervisor 'caches'", "more than 1 restarts", "'cache'", "second");
            await().atMost(WAIT).until(() -> node.whereis("caches").isEmpty());

            assertThat(capture.at(Level.ERROR)).extracting(ILoggingEvent::getLoggerName)
                    .as("two crashes and the escalation; the sibling's stop and the supervisor's exit are no errors")
                    .containsExactly("io.rusm.process", "io.rusm.process", "io.rusm.supervisor");
            assertThat(capture.at(Level.WARN)).filteredOn(e -> e.getFormattedMessage().contains("restarted")).hasSize(1);
        });
    }

    @Test
    void startupSaysWhatRusmStartedAtInfo() {
        runner.withPropertyValues("rusm.components.gate.resident=false").run(context -> {
            assertThat(context).hasNotFailed();
            ILoggingEvent started = capture.await(e -> e.getLoggerName().equals("io.rusm.spring.RusmLifecycle"));
            assertThat(started.getLevel()).isEqualTo(Level.INFO);
            assertThat(started.getFormattedMessage()).matches(
                    "rusm started 4 services \\[cache, store, gate \\(on demand\\), counter] under 2 supervisors \\[rusm, caches] in \\d+ ms");
        });
    }

    @Test
    void aRootEscalationIsAnError() {
        runner.withPropertyValues("rusm.supervisor.intensity=1").run(context -> {
            Node node = context.getBean(Node.class);
            CounterClient counter = context.getBean(CounterClient.class);
            assertThatThrownBy(() -> counter.crash("one")).isInstanceOf(ProcessCrashedException.class);
            await().atMost(WAIT).until(() -> node.whereis("counter").map(Pid::incarnation).orElse(0L) == 2);
            assertThatThrownBy(() -> counter.crash("two")).isInstanceOf(ProcessCrashedException.class);

            ILoggingEvent escalation = capture.await(e -> e.getLoggerName().equals("io.rusm.supervisor")
                    && e.getFormattedMessage().contains("escalated"));
            assertThat(escalation.getLevel()).isEqualTo(Level.ERROR);
            assertThat(escalation.getFormattedMessage()).contains("supervisor 'rusm'", "'counter'");
            ILoggingEvent broken = capture.await(e -> e.getLoggerName().equals("io.rusm.spring.RusmLifecycle")
                    && e.getFormattedMessage().contains("exited"));
            assertThat(broken.getLevel()).isEqualTo(Level.ERROR);
            assertThat(broken.getFormattedMessage()).contains("escalated", "liveness BROKEN");
        });
    }

    @Test
    void theMdcNamesTheServiceAndIncarnationWhileAHandlerRuns() {
        runner.run(context -> {
            Node node = context.getBean(Node.class);
            CounterClient counter = context.getBean(CounterClient.class);
            MDC.remove("rusm.service");

            assertThat(counter.mdc()).isEqualTo(Map.of("rusm.service", "counter", "rusm.incarnation", "1"));
            assertThat(MDC.get("rusm.service")).as("the caller's MDC is its own").isNull();

            assertThatThrownBy(() -> counter.crash("next incarnation")).isInstanceOf(ProcessCrashedException.class);
            await().atMost(WAIT).until(() -> node.whereis("counter").map(Pid::incarnation).orElse(0L) == 2);
            assertThat(counter.mdc()).isEqualTo(Map.of("rusm.service", "counter", "rusm.incarnation", "2"));
            assertThat(MDC.get("rusm.incarnation")).isNull();
        });
    }

    /** Thread-safe capture of log events (logback's ListAppender is not safe to read while fibers log). */
    static final class Capture extends AppenderBase<ILoggingEvent> {
        final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            event.prepareForDeferredProcessing();
            events.add(event);
        }

        List<ILoggingEvent> at(Level level) {
            return events.stream().filter(e -> e.getLevel() == level).toList();
        }

        ILoggingEvent await(Predicate<ILoggingEvent> matching) {
            return org.awaitility.Awaitility.await().atMost(WAIT)
                    .until(() -> events.stream().filter(matching).findFirst().orElse(null), java.util.Objects::nonNull);
        }
    }
}
