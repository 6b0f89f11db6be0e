package io.rusm.kv;

import java.util.concurrent.CompletableFuture;

/** One queued put or delete, and the future its caller parks on until it is durable. */
final class Write {
    /** Sentinel the store enqueues last when it closes. */
    static final Write STOP = new Write(null, null, null);

    final String namespace;
    final String key;
    /** The JSON to store, or null for a delete. */
    final byte[] value;
    /** Completes with "there was a value" (deletes; puts complete with false) once durable. */
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    /** Set by the writer while applying, published through {@link #done}. */
    boolean existed;

    private Write(String namespace, String key, byte[] value) {
        this.namespace = namespace;
        this.key = key;
        this.value = value;
    }

    static Write put(String namespace, String key, byte[] value) {
        return new Write(namespace, key, value);
    }

    static Write delete(String namespace, String key) {
        return new Write(namespace, key, null);
    }

    boolean isDelete() {
        return value == null;
    }
}
