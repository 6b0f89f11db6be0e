package io.rusm.spring.kv;

import io.rusm.KvException;

/**
 * The Kv store configured by {@code rusm.kv.*} could not be opened at startup. Carries the property
 * that chose it, which {@link KvStoreFailureAnalyzer} turns into Spring Boot's startup failure report.
 */
public class KvStoreOpenException extends RuntimeException {
    private final String property;
    private final String value;

    public KvStoreOpenException(String property, String value, String description, KvException cause) {
        super(description, cause);
        this.property = property;
        this.value = value;
    }

    /** The property that chose the store, {@code rusm.kv.path} or {@code rusm.kv.store}. */
    public String property() {
        return property;
    }

    /** Its value as configured. */
    public String value() {
        return value;
    }
}
