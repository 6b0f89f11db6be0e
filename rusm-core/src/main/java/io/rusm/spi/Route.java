package io.rusm.spi;

import io.rusm.Pid;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The way to a name served by another node. Failures are the failure table's exceptions, as for a
 * local call; a call in flight on a node that is lost fails with reason {@code noconnection}.
 */
public interface Route {

    /** Calls {@code name} (the incarnation {@code target} when not null) and waits for its reply. */
    Object call(String name, Pid target, Object request, Duration timeout);

    CompletableFuture<Object> callAsync(String name, Object request, Duration timeout);

    /** Sends without waiting; dropped if nothing runs under the name there. */
    void send(String name, Object message);

    /** The incarnation that runs under {@code name} there, if any. */
    Optional<Pid> whereis(String name);
}
