package io.rusm.test.app;

import io.rusm.ServiceClient;

@ServiceClient("tally")
public interface TallyClient {
    long add(long n);

    void boom();
}
