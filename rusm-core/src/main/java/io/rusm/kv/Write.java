package io.rusm.kv;

import io.rusm.internal.process.Process;

import java.util.concurrent.CompletableFuture;

/** One queued put or delete, and the future its caller parks on until it is durable. */
final class Write {
    /** Sentinel the store enqueues last when it closes. */
    static final Write STOP = new Write(null, null, null, null);

    final String namespace;
    final String key;
    /** The JSON to store, or null for a delete. */
    final byte[] value;
    /**
     * The incarnation whose fiber submitted the write, or null for a plain thread: the writer
     * applies the write only if it is still alive when the batch is committed (see
     * {@link GroupCommitWriter}).
     */
    final Process owner;
    /** Completes with "there was a value" (deletes; puts complete with false) once durable. */
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    /** The thread parked until {@link #done} completes, woken by the writer after the batch's commit. */
    final Thread waiter = Thread.currentThread();
    /** Set by the writer while applying, published through {@link #done}. */
    boolean existed;

    private Write(String namespace, String key, byte[] value, Process owner) {
        this.namespace = namespace;
        this.key = key;
        this.value = value;
        this.owner = owner;
    }

    static Write put(String namespace, String key, byte[] value, Process owner) {
        return new Write(namespace, key, value, owner);
    }

    static Write delete(String namespace, String key, Process owner) {
        return new Write(namespace, key, null, owner);
    }

    boolean isDelete() {
        return value == null;
    }

    /** False once the submitting incarnation has ended; plain threads are never fenced. */
    boolean ownerAlive() {
        return owner == null || owner.isAlive();
    }

    String operation() {
        return (isDelete() ? "Kv.delete" : "Kv.put") + " of key '" + key + "'";
    }
}
