package io.rusm.internal.supervisor;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * OTP's restart intensity: remembers when restarts happened and says whether one more stays within
 * "at most {@code max} restarts in any {@code period}". Restarts older than the period are forgotten,
 * so restarts spread out over time never add up to an escalation.
 */
final class RestartIntensity {
    private final int max;
    private final long periodNanos;
    private final ArrayDeque<Long> restarts = new ArrayDeque<>();

    RestartIntensity(int max, Duration period) {
        this.max = max;
        this.periodNanos = period.toNanos();
    }

    /** Records a restart at {@code nowNanos}; false if that makes more than {@code max} within the period. */
    boolean addRestart(long nowNanos) {
        restarts.addLast(nowNanos);
        while (nowNanos - restarts.peekFirst() >= periodNanos) restarts.pollFirst();
        return restarts.size() <= max;
    }

    int recent() {
        return restarts.size();
    }
}
