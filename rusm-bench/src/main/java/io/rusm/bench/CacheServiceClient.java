package io.rusm.bench;

import io.rusm.ServiceClient;

@ServiceClient("bench-cache")
public interface CacheServiceClient {
    String get(int key);

    int size();
}
