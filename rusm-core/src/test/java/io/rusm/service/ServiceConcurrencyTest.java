package io.rusm.service;

import io.rusm.ServiceDefinition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Handlers run one at a time: many concurrent callers through one proxy see a consistent counter. */
class ServiceConcurrencyTest extends ServiceTestBase {
    private static final int CALLERS = 1_000;

    @Test
    void a_thousand_concurrent_callers_bump_the_counter_exactly_once_each() throws Exception {
        node.spawnService(ServiceDefinition.of(Counter.class), Counter::new);
        CounterClient counter = node.client(CounterClient.class);
        List<Future<Long>> replies = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLERS; i++) replies.add(callers.submit(() -> counter.bump(1)));
            List<Long> seen = new ArrayList<>();
            for (Future<Long> f : replies) seen.add(f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            // Every caller saw a different count: exactly 1..1000, summing to n(n+1)/2.
            assertThat(seen).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, CALLERS).boxed().toList());
            assertThat(seen.stream().mapToLong(Long::longValue).sum()).isEqualTo((long) CALLERS * (CALLERS + 1) / 2);
        }
        assertThat(counter.total()).isEqualTo(CALLERS);
    }

    @Test
    void a_thousand_concurrent_async_calls_and_casts_are_all_applied() throws Exception {
        node.spawnService(ServiceDefinition.of(Counter.class), Counter::new);
        CounterClient counter = node.client(CounterClient.class);
        CounterCommands commands = node.client(CounterCommands.class);
        List<Future<?>> sent = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLERS; i++) {
                sent.add(callers.submit(() -> commands.bump(2)));
                sent.add(callers.submit(() -> valueOf(counter.bumpAsync(1))));
            }
            for (Future<?> f : sent) f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        // Every cast was queued before its task completed, so this call is behind all of them.
        assertThat(counter.total()).isEqualTo(3L * CALLERS);
    }
}
