package io.rusm.demo.cache;

import io.rusm.ServiceClient;

/** Client of {@link Cache}. */
@ServiceClient("cache")
public interface CacheClient {
    String get(String key);

    void put(String key, String value, long ttlMillis) throws IllegalArgumentException;

    boolean delete(String key);

    int size();
}
