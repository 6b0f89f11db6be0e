package io.rusm.service;

import io.rusm.Cast;
import io.rusm.ServiceClient;

/** Sends and void calls to non-void handlers of {@link Counter}: the results are ignored. */
@ServiceClient("counter")
public interface CounterCommands {
    /** A send to {@code bump(long)}, whose {@code long} result is dropped. */
    @Cast
    void bump(long by);

    /** A call whose result is dropped: still waits, still sees the handler's exceptions. */
    void add(String amount);

    @Cast
    void boom();
}
