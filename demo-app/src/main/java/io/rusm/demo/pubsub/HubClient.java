package io.rusm.demo.pubsub;

import io.rusm.Cast;
import io.rusm.Pid;
import io.rusm.ServiceClient;

import java.util.Map;

/** Client of {@link PubSubHub}. */
@ServiceClient("hub")
public interface HubClient {
    void subscribe(String topic, Pid subscriber);

    @Cast
    void unsubscribe(Pid subscriber);

    int publish(String topic, String payload);

    @Cast
    void keepAlive();

    int subscribers(String topic);

    Map<String, Integer> topics();
}
