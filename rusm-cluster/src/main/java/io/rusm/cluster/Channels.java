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

    /** How long calls already sent to a member that left may still be answered (a graceful leave drains them). */
    private static final long LEFT_GRACE_MILLIS = 10_000;

    /**
     * Closes the channels of members that are gone: no new call goes there; calls already sent may
     * still be answered for a grace period (a member that leaves gracefully drains them before it
     * exits), then fail with {@code noconnection}. A killed member's connections close at once by
     * themselves, so its calls fail at once anyway.
     */
    void retainOnly(Set<String> liveTargets) {
        byTarget.forEach((target, channel) -> {
            if (!liveTargets.contains(target) && byTarget.remove(target, channel)) {
                channel.shutdown();
                Thread.ofVirtual().name("rusm-cluster-channel-close").start(() -> {
                    try {
                        if (!channel.awaitTermination(LEFT_GRACE_MILLIS, TimeUnit.MILLISECONDS)) channel.shutdownNow();
                    } catch (InterruptedException e) {
                        channel.shutdownNow();
                    }
                });
            }
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
