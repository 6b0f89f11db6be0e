package io.rusm.demo.durable;

import io.rusm.ServiceClient;

/** Client of {@link DurableCounter}. */
@ServiceClient("durableCounter")
public interface DurableCounterClient {
    long bump(long by);

    long total();
}
