package io.rusm.spring;

/**
 * Wraps or replaces the client proxy of a {@code @ServiceClient} interface before it is injected,
 * e.g. to observe each call. Beans of this type are applied in order.
 */
@FunctionalInterface
public interface ServiceClientCustomizer {

    /** Returns the client to inject for {@code type}, a client of {@code service}. */
    <T> T customize(Class<T> type, String service, T client);
}
