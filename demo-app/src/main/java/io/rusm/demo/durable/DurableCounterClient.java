package io.rusm.demo.durable;

import io.rusm.ServiceClient;

/** Client of {@link DurableCounter}. */
@ServiceClient("durableCounter")
public interface DurableCounterClient {
    long bump(long by) throws IllegalArgumentException;

    long total();

    /** DEMO ONLY: makes the service crash in its handler (the call gets ProcessCrashedException). */
    void crash(String why);
}
