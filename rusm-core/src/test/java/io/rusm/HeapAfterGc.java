package io.rusm;

import java.lang.management.ManagementFactory;

/** Heap in use after garbage collection, for leak tests that compare before and after. */
public final class HeapAfterGc {
    private HeapAfterGc() {}

    /** Bytes in use after a few GC rounds (the least seen: finalizable and soft-cleared garbage settles). */
    public static long used() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
