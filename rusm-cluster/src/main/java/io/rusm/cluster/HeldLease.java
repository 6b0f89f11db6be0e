package io.rusm.cluster;

import io.rusm.spi.Ownership;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One lease this node holds: a singleton incarnation's, or a keyed service's partition shard's
 * (shared by the keys running in it). Held while the lease, renewed by {@link Leases}, runs by this
 * JVM's clock; the local deadline is set from the time a renewal was <em>sent</em> and a fraction of
 * the lease, so it always ends before the store's (a JVM resumed after a pause sees it over before it acts).
 */
final class HeldLease implements Ownership {
    private final String fence;
    private final long epoch;
    private final Leases leases;
    /** What must stop acting once the lease is lost: the incarnation, or the shard's keys. */
    private final Consumer<HeldLease> onLost;
    private volatile long validUntilNanos;
    private volatile boolean lost;
    private final AtomicBoolean released = new AtomicBoolean();

    HeldLease(String fence, long epoch, long validUntilNanos, Leases leases, Consumer<HeldLease> onLost) {
        this.fence = fence;
        this.epoch = epoch;
        this.validUntilNanos = validUntilNanos;
        this.leases = leases;
        this.onLost = onLost;
    }

    @Override
    public String fence() {
        return fence;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public boolean held() {
        return !lost && System.nanoTime() - validUntilNanos < 0;
    }

    /** A renewal sent at {@code sentNanos} succeeded. Never revives a lease already over. */
    void renewed(long validUntilNanos) {
        if (held()) this.validUntilNanos = validUntilNanos;
        else lost = true;
    }

    /** A newer epoch exists, or the lease lapsed: never held again; whatever acted under it stops. */
    void lose() {
        lost = true;
        onLost.accept(this);
    }

    boolean isReleased() {
        return released.get();
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) leases.release(this);
    }
}
