package io.rusm.kv;

import java.util.List;

/**
 * Where a {@link KvStore} keeps its entries: values are UTF-8 JSON bytes, keyed by (namespace, key).
 * Reads may come from any thread at any time; transactions run one at a time, each from whichever
 * thread holds the store's commit turn (see {@link GroupCommitWriter}).
 */
interface Backend {

    /**
     * Whether a writing caller may run the group commit itself, on its own thread, when no commit
     * is running. Only for a backend whose commit neither waits for a platform thread to wake it
     * (a fiber woken so waits behind busy carriers) nor breaks when the committing thread is
     * interrupted. False (the default): a dedicated writer thread runs every commit, as a JDBC
     * driver needs (its socket I/O parks a fiber until the JDK's poller thread wakes it, and an
     * interrupt closes the connection).
     */
    default boolean callerCommits() {
        return false;
    }

    /** What and where the store is, for messages (never a password). */
    String description();

    /** The stored bytes, or null if there are none. */
    byte[] read(String namespace, String key) throws Exception;

    /** The keys of {@code namespace} that start with {@code prefix}, in any order. */
    List<String> keys(String namespace, String prefix) throws Exception;

    /** Starts the transaction of one group commit. */
    Transaction begin() throws Exception;

    /** Called by the writer when it has had nothing to do for a while (housekeeping). */
    default void idle() throws Exception {
    }

    /** Compaction runs that rewrote or moved something so far (0 for stores that compact themselves). */
    default long compactions() {
        return 0;
    }

    /** Releases everything; called once, after the last transaction ended. */
    void close() throws Exception;

    /** One group commit: any number of writes, then one durable commit (or a rollback). */
    interface Transaction {
        void put(String namespace, String key, byte[] value) throws Exception;

        /**
         * Whether {@code epoch} is still the newest under {@code fence}, checked so that no newer
         * epoch can be taken until this transaction ends (the fencing of cluster singletons). Stores
         * that only one node writes have no rival and answer true.
         */
        default boolean epochHolds(String fence, long epoch) throws Exception {
            return true;
        }

        /** @return whether there was a value */
        boolean delete(String namespace, String key) throws Exception;

        /** Makes every write of this transaction durable; returns only once they are. */
        void commit() throws Exception;

        /** Undoes what can be undone; never throws. */
        void rollback();
    }
}
