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
    /** The key a bound client talks to, or null. */
    private final String boundKey;
    /** Where key-less methods go: the service, or {@code <service>/<key>} for a bound client. */
    private final String target;
    private final Duration callTimeout;
    private volatile Map<Method, Dispatch> dispatch;
    private volatile boolean bound;
    /**
     * The dispatches already looked up, by the identity of their {@code Method}: pairs of method and
     * dispatch. A proxy class passes the same {@code Method} objects on every call, so a scan of a
     * few references replaces the table's {@code Method.equals} (name, return and parameter types).
     * Copied on write, at most {@value #MAX_REMEMBERED} methods; emptied when the table changes.
     */
    private volatile Object[] remembered = NONE;
    private static final Object[] NONE = new Object[0];
    private static final int MAX_REMEMBERED = 64;

    /** Validates {@code clientInterface} against {@code definition} now, or (if null) only what it shows alone. */
    ServiceClientHandler(ServicePort node, Class<?> clientInterface, String service, String boundKey, Duration callTimeout,
                         ServiceDefinition definition) {
        this.node = node;
        this.clientInterface = clientInterface;
        this.service = service;
        this.boundKey = boundKey;
        this.target = boundKey == null ? service : service + "/" + boundKey;
        this.callTimeout = callTimeout;
        this.dispatch = definition != null
                ? ClientValidator.dispatchTable(clientInterface, definition, node.isKeyed(service), boundKey)
                : ClientValidator.unbound(clientInterface, boundKey);
        this.bound = definition != null;
    }

    ServicePort node() {
        return node;
    }

    String service() {
        return service;
    }

    /** The process name key-less methods address: the service, or {@code <service>/<key>} when bound. */
    String target() {
        return target;
    }

    /** The process name of the key passed as a method's {@code @Key} argument. */
    String keyTarget(Object key) {
        if (key == null) throw new IllegalArgumentException("the @Key argument of a call to keyed service '" + service + "' is null");
        String k = String.valueOf(key);
        if (k.isEmpty()) throw new IllegalArgumentException("the @Key argument of a call to keyed service '" + service + "' is empty");
        return service + "/" + k;
    }

    Duration callTimeout() {
        return callTimeout;
    }

    /** Validates against {@code definition} and switches to the bound table; throws if they do not match. */
    synchronized void bind(ServiceDefinition definition) {
        if (bound) return;
        this.dispatch = ClientValidator.dispatchTable(clientInterface, definition, node.isKeyed(service), boundKey);
        this.bound = true;
        this.remembered = NONE; // they were the provisional table's
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
        Object[] r = remembered;
        for (int i = 0; i < r.length; i += 2) {
            if (r[i] == method) return ((Dispatch) r[i + 1]).invoke(this, proxy, args);
        }
        Map<Method, Dispatch> table = dispatch;
        Dispatch d = table.get(method);
        if (d == null) {
            throw new IllegalStateException(method + " is not a method of client " + clientInterface.getName());
        }
        remember(table, method, d);
        return d.invoke(this, proxy, args);
    }

    /** Adds {@code method}'s dispatch, looked up in {@code table}, to {@link #remembered} unless the table changed since. */
    private synchronized void remember(Map<Method, Dispatch> table, Method method, Dispatch d) {
        Object[] r = remembered;
        if (dispatch != table || r.length >= 2 * MAX_REMEMBERED) return;
        for (int i = 0; i < r.length; i += 2) if (r[i] == method) return;
        Object[] more = java.util.Arrays.copyOf(r, r.length + 2);
        more[r.length] = method;
        more[r.length + 1] = d;
        remembered = more;
    }

    @Override
    public String toString() {
        return clientInterface.getSimpleName() + " -> " + target;
    }
}
