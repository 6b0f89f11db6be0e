package io.rusm.wire.testapp;

import io.rusm.Cast;
import io.rusm.ServiceClient;

import java.util.concurrent.CompletableFuture;

/** The Java client of the TypeScript-hosted counter ({@code clients/typescript/test/fixtures/counter.ts}). */
@ServiceClient("tscounter")
public interface TsCounterClient {
    long bump(long by);

    CompletableFuture<Long> bumpAsync(long by);

    long total();

    long withdraw(long amount) throws InsufficientFunds;

    void crash(String why);

    long grow(long megabytes);

    long sleep(long millis, String marker);

    @Cast
    void reset();
}
