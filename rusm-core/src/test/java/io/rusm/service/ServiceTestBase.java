package io.rusm.service;

import io.rusm.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** A fresh node per test (10 s call timeout: a failure that waits for it is a bug), shut down after. */
@Timeout(60)
abstract class ServiceTestBase {
    /** Upper bound for any wait in these tests. */
    static final Duration WAIT = Duration.ofSeconds(10);

    protected Node node;

    @BeforeEach
    void startNode() {
        node = Node.builder().name("test").defaultCallTimeout(WAIT).build();
    }

    @AfterEach
    void stopNode() {
        node.shutdown(Duration.ofSeconds(5));
        assertThat(node.processCount()).as("processes left after shutdown").isZero();
    }

    static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("latch").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static <T> T valueOf(CompletableFuture<T> f) {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected a value but it failed", e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static Throwable failureOf(CompletableFuture<?> f) {
        try {
            Object v = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure but got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
