package io.rusm.spi;

/**
 * What one incarnation of a cluster-placed service holds while it may act: an epoch taken from the
 * shared store (newer incarnations hold larger ones) and a lease its node renews while it is a
 * healthy member. The process checks {@link #held()} before each message and ends with
 * {@code fenced} once it is false; the store rejects its writes once a newer epoch exists.
 */
public interface Ownership {

    /** The name the epoch is kept under (the fence the store checks). */
    String fence();

    /** This incarnation's epoch: larger than every earlier incarnation's of the same name. */
    long epoch();

    /** Whether the lease still holds now; false forever once it has lapsed or was taken over. */
    boolean held();

    /** The incarnation ended: give the ownership back so a successor can take it at once. */
    void release();
}
