package io.rusm.internal.client;

import io.rusm.ServiceDefinition;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;

/**
 * The invocation handler behind a {@code @ServiceClient} proxy. Holds the per-method
 * {@link Dispatch} table, computed once: validated against the service's definition when the node
 * knows it, or a provisional table that binds on the first call after the definition appears.
 */
final class ServiceClientHandler implements InvocationHandler {
    private final ServicePort node;
    private final Class<?> clientInterface;
    private final String service;
    private final Duration callTimeout;
    private volatile Map<Method, Dispatch> dispatch;
    private volatile boolean bound;

    /** Validates {@code clientInterface} against {@code definition} now, or (if null) only what it shows alone. */
    ServiceClientHandler(ServicePort node, Class<?> clientInterface, String service, Duration callTimeout, ServiceDefinition definition) {
        this.node = node;
        this.clientInterface = clientInterface;
        this.service = service;
        this.callTimeout = callTimeout;
        this.dispatch = definition != null
                ? ClientValidator.dispatchTable(clientInterface, definition)
                : ClientValidator.unbound(clientInterface);
        this.bound = definition != null;
    }

    ServicePort node() {
        return node;
    }

    String service() {
        return service;
    }

    Duration callTimeout() {
        return callTimeout;
    }

    /** Validates against {@code definition} and switches to the bound table; throws if they do not match. */
    synchronized void bind(ServiceDefinition definition) {
        if (bound) return;
        this.dispatch = ClientValidator.dispatchTable(clientInterface, definition);
        this.bound = true;
    }

    /** The bound table, binding now if the node has learnt the definition since; null if it still does not know it. */
    Map<Method, Dispatch> tryBind() {
        if (!bound) {
            ServiceDefinition definition = node.definition(service);
            if (definition == null) return null;
            bind(definition);
        }
        return dispatch;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Dispatch d = dispatch.get(method);
        if (d == null) {
            throw new IllegalStateException(method + " is not a method of client " + clientInterface.getName());
        }
        return d.invoke(this, proxy, args);
    }

    @Override
    public String toString() {
        return clientInterface.getSimpleName() + " -> " + service;
    }
}
