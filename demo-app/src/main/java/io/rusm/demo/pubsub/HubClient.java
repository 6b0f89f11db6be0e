package io.rusm.demo.pubsub;

import io.rusm.Cast;
import io.rusm.Pid;
import io.rusm.ServiceClient;

import java.util.Map;

/** Client of {@link PubSubHub}. */
@ServiceClient("hub")
public interface HubClient {
    /** Returns the hub's pid, for the subscriber to monitor. */
    Pid subscribe(String topic, Pid subscriber);

    @Cast
    void unsubscribe(Pid subscriber);

    int publish(String topic, String payload);

    int subscribers(String topic);

    Map<String, Integer> topics();

    /** DEMO ONLY: makes the service crash in its handler (the call gets ProcessCrashedException). */
    void crash(String why);
}
