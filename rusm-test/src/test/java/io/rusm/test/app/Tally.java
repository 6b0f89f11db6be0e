package io.rusm.test.app;

import io.rusm.Kv;
import io.rusm.ResidentService;

/** Counts into Kv, so it survives restarts; {@code boom} crashes it. */
@ResidentService("tally")
public class Tally {
    private final Kv kv;

    public Tally(Kv kv) {
        this.kv = kv;
    }

    public long add(long n) {
        long next = kv.get("n", Long.class).orElse(0L) + n;
        kv.put("n", next);
        return next;
    }

    public void boom() {
        throw new IllegalStateException("boom");
    }
}
