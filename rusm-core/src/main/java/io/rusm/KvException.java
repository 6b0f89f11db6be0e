package io.rusm;

/**
 * A {@link Kv} operation or store failed: a stored value cannot be read as the requested type, a
 * value cannot be serialized, the store cannot be opened, or it cannot make a write durable. When
 * the failure concerns one key, {@link #key()} and {@link #component()} name it (and so does the
 * message). A write that failed with this exception may or may not have been applied.
 */
public class KvException extends RusmException {
    private final String component;
    private final String key;

    /** A failure of the store as a whole (opening it, closing it). */
    public KvException(String message, Throwable cause) {
        this(message, null, null, cause);
    }

    /** A failure about one key of one component. */
    public KvException(String message, String component, String key, Throwable cause) {
        super(message, cause);
        this.component = component;
        this.key = key;
    }

    /** The component (namespace) whose key failed, or null if the failure is not about one key. */
    public String component() {
        return component;
    }

    /** The key that failed, or null if the failure is not about one key. */
    public String key() {
        return key;
    }
}
