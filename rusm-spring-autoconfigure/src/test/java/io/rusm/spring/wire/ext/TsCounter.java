package io.rusm.spring.wire.ext;

import io.rusm.ServiceClient;

/** The client of {@code tscounter}, a component declared {@code runtime: external}. */
@ServiceClient("tscounter")
public interface TsCounter {
    long bump(long by);
}
