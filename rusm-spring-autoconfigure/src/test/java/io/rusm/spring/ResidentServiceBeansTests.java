package io.rusm.spring;

import io.rusm.CallTimeoutException;
import io.rusm.MailboxFullException;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.ProcessCrashedException;
import io.rusm.spring.fixtures.Journal;
import io.rusm.spring.fixtures.good.Consumer;
import io.rusm.spring.fixtures.good.Counter;
import io.rusm.spring.fixtures.good.CounterClient;
import io.rusm.spring.fixtures.good.GoodConfig;
import io.rusm.spring.fixtures.good.SlowClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code @ResidentService} classes as Spring beans: injection, incarnations, lifecycle hooks, clients. */
class ResidentServiceBeansTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RusmAutoConfiguration.class))
            .withUserConfiguration(GoodConfig.class);

    @Test
    void constructorInjectionOfAnotherBeanWorks() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(CounterClient.class).bump(1)).isEqualTo(1);
            // The constructor got the context's Journal: it wrote to it.
            assertThat(context.getBean(Journal.class).startingWith("constructed")).hasSize(1);
        });
    }

    @Test
    void aServiceIdlePastHibernateAfterHibernatesAndKeepsItsState() {
        runner.withPropertyValues("rusm.hibernate-after=0s").run(context -> {
            Node node = context.getBean(Node.class);
            CounterClient counter = context.getBean(CounterClient.class);
            Pid pid = node.whereis("counter").orElseThrow();
            assertThat(counter.bump(5)).isEqualTo(5);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.isHibernating(pid));
            // The same incarnation, the same instance and state, on a fresh fiber.
            assertThat(counter.bump(2)).isEqualTo(7);
            assertThat(node.whereis("counter")).contains(pid);
        });
        runner.run(context -> assertThat(context.getBean(Node.class).whereis("counter")).isPresent()); // the default (1s) starts
    }

    @Test
    void aComponentsOwnHibernateAfterWinsOverTheNodesDefault() {
        runner.withPropertyValues("rusm.hibernate-after=0s", "rusm.components.counter.hibernate-after=365d").run(context -> {
            Node node = context.getBean(Node.class);
            CounterClient counter = context.getBean(CounterClient.class);
            Pid counterPid = node.whereis("counter").orElseThrow();
            Pid slowPid = node.whereis("slow").orElseThrow();
            assertThat(counter.bump(1)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.isHibernating(slowPid)); // the node's default: at once
            assertThat(node.isHibernating(counterPid)).as("its own 365d").isFalse();
        });
    }

    @Test
    void everyIncarnationIsAFreshInstanceWithFreshState() {
        runner.run(context -> {
            Node node = context.getBean(Node.class);
            CounterClient counter = context.getBean(CounterClient.class);
            Journal journal = context.getBean(Journal.class);
            Pid first = node.whereis("counter").orElseThrow();

            assertThat(counter.bump(5)).isEqualTo(5);
            assertThat(counter.total()).isEqualTo(5);
            assertThatThrownBy(counter::crash).isInstanceOf(ProcessCrashedException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class);

            Pid second = await().atMost(Duration.ofSeconds(10))
                    .until(() -> node.whereis("counter").orElse(first), pid -> !pid.equals(first));
            assertThat(second.incarnation()).isEqualTo(first.incarnation() + 1);
            assertThat(counter.total()).as("state resets with the new instance").isZero();
            assertThat(counter.bump(1)).isEqualTo(1);

            assertThat(journal.startingWith("constructed")).hasSize(2);
            // @PostConstruct once per incarnation, on that incarnation's own fiber (a virtual thread named by its pid).
            assertThat(journal.startingWith("postConstruct:")).containsExactly(
                    "postConstruct:" + first + "|virtual", "postConstruct:" + second + "|virtual");
            // Not on a crash.
            assertThat(journal.startingWith("preDestroy:")).isEmpty();
        });
    }

    @Test
    void theServiceInstanceIsNotInjectableButTheClientIs() {
        runner.withBean(Consumer.class).run(context -> {
            assertThat(context).hasNotFailed();
            Consumer consumer = context.getBean(Consumer.class);
            assertThat(consumer.service).as("the instance belongs to its fiber").isNull();
            assertThat(consumer.client).isNotNull();
            assertThat(Proxy.isProxyClass(consumer.client.getClass())).isTrue();
            assertThat(consumer.client.bump(7)).isEqualTo(7);

            String[] serviceBeans = context.getBeanFactory().getBeanNamesForType(Counter.class, true, false);
            assertThat(serviceBeans).hasSize(1);
            BeanDefinition definition = context.getBeanFactory().getBeanDefinition(serviceBeans[0]);
            assertThat(definition.isAutowireCandidate()).isFalse();
            assertThat(definition.isPrototype()).isTrue();
        });
    }

    @Test
    void preDestroyRunsOnGracefulCloseAfterQueuedMessagesOnTheFiber() {
        runner.run(context -> {
            Node node = context.getBean(Node.class);
            CounterClient counter = context.getBean(CounterClient.class);
            Journal journal = context.getBean(Journal.class);
            Pid pid = node.whereis("counter").orElseThrow();
            counter.bump(4);
            IntStream.range(0, 20).forEach(i -> counter.note("n" + i));

            context.close();

            List<String> events = journal.events();
            List<String> notes = journal.startingWith("note:");
            assertThat(notes).containsExactlyElementsOf(IntStream.range(0, 20).mapToObj(i -> "note:n" + i).toList());
            assertThat(journal.startingWith("preDestroy:")).containsExactly("preDestroy:" + pid + "|virtual:count=4");
            assertThat(events.indexOf("preDestroy:" + pid + "|virtual:count=4")).isGreaterThan(events.indexOf("note:n19"));
        });
    }

    @Test
    void clientsSupportCallsAsyncCallsAndCasts() {
        runner.run(context -> {
            CounterClient counter = context.getBean(CounterClient.class);
            assertThat(counter.bumpAsync(2).get(10, TimeUnit.SECONDS)).isEqualTo(2L);
            counter.note("cast");
            // A call after the cast is handled after it: one message at a time, in order.
            assertThat(counter.bump(1)).isEqualTo(3);
            assertThat(context.getBean(Journal.class).startingWith("note:")).containsExactly("note:cast");
        });
    }

    @Test
    void perComponentCallTimeoutIsWhatItsClientUses() {
        // Default for everything is long; only 'slow' has a short one. If the client used the default,
        // the call would wait for the release below and return normally instead of timing out.
        runner.withPropertyValues("rusm.call-timeout=60s", "rusm.components.slow.call-timeout=200ms",
                "rusm.components.slow.shutdown-timeout=1s").run(context -> {
            CountDownLatch release = context.getBean("slowRelease", CountDownLatch.class);
            ResidentServices services = context.getBean(ResidentServices.class);
            assertThat(services.callTimeout("slow")).isEqualTo(Duration.ofMillis(200));
            assertThat(services.callTimeout("counter")).isEqualTo(Duration.ofSeconds(60));
            assertThat(context.getBean(Node.class).defaultCallTimeout()).isEqualTo(Duration.ofSeconds(60));
            try {
                assertThatThrownBy(() -> context.getBean(SlowClient.class).hold("x"))
                        .isInstanceOf(CallTimeoutException.class).hasMessageContaining("slow");
            } finally {
                release.countDown();
            }
            // The service is still there, and the late reply went nowhere.
            assertThat(context.getBean(SlowClient.class).hold("y")).isEqualTo("y");
        });
    }

    @Test
    void mailboxCapacityIsEnforcedForTheComponent() {
        runner.withPropertyValues("rusm.components.slow.mailbox-capacity=1", "rusm.components.slow.shutdown-timeout=1s").run(context -> {
            CountDownLatch release = context.getBean("slowRelease", CountDownLatch.class);
            Node node = context.getBean(Node.class);
            SlowClient slow = context.getBean(SlowClient.class);
            Pid pid = node.whereis("slow").orElseThrow();
            try {
                CompletableFuture<String> inFlight = slow.holdAsync("a");
                // Taken out of the mailbox: its handler is holding, the mailbox is empty again.
                await().atMost(Duration.ofSeconds(10)).until(() -> node.mailboxSize(pid) == 0);
                CompletableFuture<String> queued = slow.holdAsync("b");
                assertThat(node.mailboxSize(pid)).isEqualTo(1);
                CompletableFuture<String> rejected = slow.holdAsync("c");
                assertThat(rejected).as("back-pressure at once, not blocking").isCompletedExceptionally();
                assertThat(rejected).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                        .withCauseInstanceOf(MailboxFullException.class);

                release.countDown();
                assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("a");
                assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("b");
            } finally {
                release.countDown();
            }
        });
    }
}
