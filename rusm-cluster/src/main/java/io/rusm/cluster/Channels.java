package io.rusm.cluster;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per member's wire. Dropping a member's channel fails every call and monitor in
 * flight to it at once, which is how those learn {@code noconnection}.
 */
final class Channels implements AutoCloseable {
    private final ConcurrentHashMap<String, ManagedChannel> byTarget = new ConcurrentHashMap<>();
    private final int maxMessageSize;

    Channels(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    ManagedChannel to(String wireTarget) {
        return byTarget.computeIfAbsent(wireTarget, t -> NettyChannelBuilder.forTarget(t).usePlaintext()
                .maxInboundMessageSize(maxMessageSize).build());
    }

    /** Closes the channels of members that are gone. */
    void retainOnly(Set<String> liveTargets) {
        byTarget.forEach((target, channel) -> {
            if (!liveTargets.contains(target) && byTarget.remove(target, channel)) channel.shutdownNow();
        });
    }

    @Override
    public void close() {
        for (ManagedChannel c : byTarget.values()) c.shutdownNow();
        for (ManagedChannel c : byTarget.values()) {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        byTarget.clear();
    }
}
