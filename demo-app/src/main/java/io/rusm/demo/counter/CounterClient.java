package io.rusm.demo.counter;

import io.rusm.Cast;
import io.rusm.ServiceClient;

import java.util.concurrent.CompletableFuture;

/** How the rest of the app talks to {@link Counter}: calls and a cast, never the instance. */
@ServiceClient("counter")
public interface CounterClient {
    long bump(long by) throws IllegalArgumentException;

    CompletableFuture<Long> bumpAsync(long by);

    long total();

    @Cast
    void reset();

    /** DEMO ONLY: makes the service crash in its handler (the call gets ProcessCrashedException). */
    void crash(String why);
}
