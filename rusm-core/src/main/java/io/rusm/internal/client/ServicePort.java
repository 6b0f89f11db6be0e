package io.rusm.internal.client;

import io.rusm.ServiceDefinition;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What a client proxy needs of a node: how to reach a service by name, and what it is. The proxy
 * depends on this narrow seam, not on the public {@code Node}, so the node (or a cluster's
 * placement, later) decides where a name leads.
 */
public interface ServicePort {
    /** The service's definition if the node knows it, else null. */
    ServiceDefinition definition(String service);

    Object call(String service, Object request, Duration timeout);

    CompletableFuture<Object> callAsync(String service, Object request, Duration timeout);

    void send(String service, Object message);

    /** Whether {@code service} is a keyed service (its processes are named {@code <service>/<key>}). */
    default boolean isKeyed(String service) {
        return false;
    }
}
