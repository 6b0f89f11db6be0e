package io.rusm.internal.client;

import io.rusm.ServiceClient;
import io.rusm.ServiceDefinitionException;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Objects;

/**
 * Creates {@code @ServiceClient} proxies (JDK dynamic proxies). Validation happens here, once: if
 * the node knows the service's definition the interface is checked against it now, otherwise on the
 * first call after the definition becomes known; per call the proxy only looks up the method's
 * {@link Dispatch} and hands an {@code Invocation} to the node.
 */
public final class ClientFactory {
    private ClientFactory() {}

    public static <T> T create(ServicePort node, Class<T> clientInterface, Duration callTimeout) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(clientInterface, "clientInterface");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (callTimeout.isNegative() || callTimeout.isZero()) throw new IllegalArgumentException("call timeout must be positive: " + callTimeout);
        return proxy(node, clientInterface, null, callTimeout);
    }

    /** A client of a keyed service bound to {@code key}: every method goes to {@code <service>/<key>}. */
    public static <T> T createBound(ServicePort node, Class<T> clientInterface, String key, Duration callTimeout) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) throw new IllegalArgumentException("a key must not be empty");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(clientInterface, "clientInterface");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (callTimeout.isNegative() || callTimeout.isZero()) throw new IllegalArgumentException("call timeout must be positive: " + callTimeout);
        return proxy(node, clientInterface, key, callTimeout);
    }

    private static <T> T proxy(ServicePort node, Class<T> clientInterface, String boundKey, Duration callTimeout) {
        String service = serviceName(clientInterface);
        ServiceClientHandler handler = new ServiceClientHandler(node, clientInterface, service, boundKey, callTimeout,
                node.definition(service));
        Object proxy = Proxy.newProxyInstance(clientInterface.getClassLoader(), new Class<?>[] {clientInterface}, handler);
        return clientInterface.cast(proxy);
    }

    /** The service a client interface talks to, from its {@code @ServiceClient}. */
    public static String serviceName(Class<?> clientInterface) {
        if (!clientInterface.isInterface() || clientInterface.isAnnotation()) {
            throw new ServiceDefinitionException(clientInterface.getName() + " is not an interface; a @ServiceClient must be an interface");
        }
        ServiceClient annotation = clientInterface.getAnnotation(ServiceClient.class);
        if (annotation == null) {
            throw new ServiceDefinitionException(clientInterface.getName()
                    + " is not annotated @ServiceClient; annotate it with @ServiceClient(\"<service name>\")");
        }
        if (annotation.value().isBlank()) {
            throw new ServiceDefinitionException("@ServiceClient on " + clientInterface.getName() + " has a blank service name");
        }
        return annotation.value();
    }
}
