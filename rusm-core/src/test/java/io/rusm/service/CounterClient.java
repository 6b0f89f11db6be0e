package io.rusm.service;

import io.rusm.Cast;
import io.rusm.ServiceClient;

import java.util.concurrent.CompletableFuture;

/** Every client shape against {@link Counter}. */
@ServiceClient("counter")
public interface CounterClient {
    long bump(long by);

    long total();

    /** Async call; maps to {@code bump(long)}. */
    CompletableFuture<Long> bumpAsync(long by);

    /** Async call with a supertype of the handler's (boxed) return type. */
    CompletableFuture<Number> totalAsync();

    /** Fire-and-forget. */
    @Cast
    void reset();

    long withdraw(long amount) throws Counter.InsufficientFunds;

    CompletableFuture<Long> withdrawAsync(long amount);

    Long add(String amount);

    long boom();

    CompletableFuture<Long> boomAsync();

    String block();

    /** A default method runs on the proxy, calling through. */
    default long bumpTwice(long by) {
        bump(by);
        return bump(by);
    }
}
