package io.rusm.demo.tally;

import io.rusm.Key;
import io.rusm.ServiceClient;

/**
 * Client of {@link Tally}: the {@link Key @Key} first parameter names the key's process
 * ({@code tally/<key>}, started if it is not running) and is not passed to the handler.
 */
@ServiceClient("tally")
public interface TallyClient {
    Added add(@Key String key, long n) throws IllegalArgumentException;

    long total(@Key String key);

    String where(@Key String key);
}
