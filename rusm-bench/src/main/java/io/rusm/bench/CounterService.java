package io.rusm.bench;

import io.rusm.ResidentService;

/** The rusm service every benchmark talks to: a number only its fiber touches. */
@ResidentService("bench-counter")
public class CounterService {
    private long count;

    public long bump(long by) {
        count += by;
        return count;
    }

    public void add(long by) {
        count += by;
    }

    public long total() {
        return count;
    }

    /** Crashes the incarnation (an undeclared exception): for the restart benchmark. */
    public long crash() {
        throw new IllegalStateException("crash requested by the benchmark");
    }
}
