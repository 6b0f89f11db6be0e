package io.rusm.cluster;

import io.rusm.Pid;
import io.rusm.spi.Ownership;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One incarnation's ownership. Held while its lease, renewed by {@link Leases}, runs by this JVM's
 * clock; the local deadline is set from the time a renewal was <em>sent</em> and a fraction of the
 * lease, so it always ends before the store's (a JVM resumed after a pause sees it over before it acts).
 */
final class HeldLease implements Ownership {
    final Pid pid;
    private final long epoch;
    private final Leases leases;
    private volatile long validUntilNanos;
    private volatile boolean lost;
    private final AtomicBoolean released = new AtomicBoolean();

    HeldLease(Pid pid, long epoch, long validUntilNanos, Leases leases) {
        this.pid = pid;
        this.epoch = epoch;
        this.validUntilNanos = validUntilNanos;
        this.leases = leases;
    }

    @Override
    public String fence() {
        return pid.name();
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

    void lose() {
        lost = true;
    }

    boolean isReleased() {
        return released.get();
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) leases.release(this);
    }
}
