package io.rusm.demo.counter;

import io.rusm.ResidentService;

/** The simplest resident service: a number only its own fiber touches. Resets when it crashes. */
@ResidentService("counter")
public class Counter {
    private long count;

    public long bump(long by) {
        count += by;
        return count;
    }

    public long total() {
        return count;
    }

    public void reset() {
        count = 0;
    }
}
