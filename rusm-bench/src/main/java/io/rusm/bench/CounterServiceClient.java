package io.rusm.bench;

import io.rusm.Cast;
import io.rusm.ServiceClient;

/** The typed client of {@link CounterService}: what a Spring application injects. */
@ServiceClient("bench-counter")
public interface CounterServiceClient {
    long bump(long by);

    @Cast
    void add(long by);

    long total();

    long crash();
}
