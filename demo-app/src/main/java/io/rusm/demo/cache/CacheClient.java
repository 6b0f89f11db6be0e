package io.rusm.demo.cache;

import io.rusm.ServiceClient;

/** Client of {@link Cache}. */
@ServiceClient("cache")
public interface CacheClient {
    String get(String key);

    void put(String key, String value, long ttlMillis) throws IllegalArgumentException;

    boolean delete(String key);

    int size();

    /** DEMO ONLY: makes the service crash in its handler (the call gets ProcessCrashedException). */
    void crash(String why);
}
