package io.rusm.demo.counter;

import io.rusm.ResidentService;
import io.rusm.demo.chaos.DemoCrash;

/** The simplest resident service: a number only its own fiber touches. Resets when it crashes. */
@ResidentService("counter")
public class Counter {
    private long count;

    /** An overflow is the caller's mistake: declared, so the caller gets it (400) and the count is kept. */
    public long bump(long by) throws IllegalArgumentException {
        count = Overflow.add(count, by);
        return count;
    }

    public long total() {
        return count;
    }

    public void reset() {
        count = 0;
    }

    /** DEMO ONLY: a handler that throws an undeclared exception, i.e. a crash (see the chaos endpoint). */
    public void crash(String why) {
        throw new DemoCrash(why);
    }
}
