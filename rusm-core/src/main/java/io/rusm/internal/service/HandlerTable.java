package io.rusm.internal.service;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything rusm needs to run one service class, resolved once per class (see
 * {@link ServiceIntrospector}) and shared by every incarnation and every definition naming it: the
 * handlers by index and by key, the Down/Exit hooks, and the lifecycle methods.
 */
public final class HandlerTable {

    /** A {@code @PostConstruct} or {@code @PreDestroy} method; {@code handle} is {@code (Object)void}. */
    record Hook(Method method, MethodHandle handle) {
        void run(Object target) {
            try {
                handle.invokeExact(target);
            } catch (Throwable t) {
                throw Handler.<RuntimeException>sneaky(t);
            }
        }
    }

    private final Class<?> serviceClass;
    private final Handler[] handlers;
    private final Map<HandlerKey, Handler> byKey;
    private final Handler onDown;
    private final Handler onExit;
    private final List<Hook> postConstruct;
    private final List<Hook> preDestroy;
    private final List<EveryMethods.Periodic> periodic;

    HandlerTable(Class<?> serviceClass, List<Handler> handlers, Handler onDown, Handler onExit,
                 List<Hook> postConstruct, List<Hook> preDestroy, List<EveryMethods.Periodic> periodic) {
        this.serviceClass = serviceClass;
        this.handlers = handlers.toArray(Handler[]::new);
        Map<HandlerKey, Handler> keys = new HashMap<>();
        for (Handler h : handlers) keys.put(h.key(), h);
        this.byKey = Map.copyOf(keys);
        this.onDown = onDown;
        this.onExit = onExit;
        this.postConstruct = List.copyOf(postConstruct);
        this.preDestroy = List.copyOf(preDestroy);
        this.periodic = List.copyOf(periodic);
    }

    /** Starts the {@code @Every} timers of an incarnation, on its fiber (none: no timers are made). */
    void startEvery() {
        if (!periodic.isEmpty()) EveryMethods.start(periodic, io.rusm.ProcessContext.timers());
    }

    /** Names of the {@code @Every} methods with their intervals, e.g. {@code expire=PT30S}. */
    public List<String> everyMethods() {
        return periodic.stream().map(p -> p.handler().name() + "=" + p.interval()).toList();
    }

    public Class<?> serviceClass() {
        return serviceClass;
    }

    /** The handlers, in index order. */
    public List<Handler> handlers() {
        return List.of(handlers);
    }

    /** The handler with this key, or null. */
    public Handler find(HandlerKey key) {
        return byKey.get(key);
    }

    /** Handlers with this method name (overloads), in index order. */
    public List<Handler> named(String name) {
        List<Handler> out = new ArrayList<>();
        for (Handler h : handlers) if (h.name().equals(name)) out.add(h);
        return out;
    }

    /** The handler an invocation names: its index hint if that checks out, else a lookup by key; null if none. */
    public Handler resolve(Invocation invocation) {
        int i = invocation.index();
        HandlerKey key = invocation.handler();
        if (i >= 0 && i < handlers.length) {
            Handler h = handlers[i];
            if (h.key() == key || h.key().equals(key)) return h;
        }
        return byKey.get(key);
    }

    /** The method taking one {@code Down}, or null (Downs are then ignored). */
    public Handler onDown() {
        return onDown;
    }

    /** The method taking one {@code Exit}, or null (Exits are then ignored). */
    public Handler onExit() {
        return onExit;
    }

    void runPostConstruct(Object instance) {
        for (Hook h : postConstruct) h.run(instance);
    }

    void runPreDestroy(Object instance) {
        for (Hook h : preDestroy) h.run(instance);
    }

    /** Names of the {@code @PostConstruct} methods, in the order they run. */
    public List<String> postConstructMethods() {
        return postConstruct.stream().map(h -> h.method().getName()).toList();
    }

    /** Names of the {@code @PreDestroy} methods, in the order they run. */
    public List<String> preDestroyMethods() {
        return preDestroy.stream().map(h -> h.method().getName()).toList();
    }

    /**
     * Why a method with this name and these parameter types exists on the service class but is not a
     * handler (not public, static, a lifecycle method, a hook), as a sentence for an error message;
     * null if the class has no such method at all.
     */
    public String whyNotHandler(String name, Class<?>[] parameterTypes) {
        for (Class<?> c = serviceClass; c != null && c != Object.class; c = c.getSuperclass()) {
            Method m;
            try {
                m = c.getDeclaredMethod(name, parameterTypes);
            } catch (NoSuchMethodException e) {
                continue;
            }
            String where = Signatures.qualified(c, m);
            int mod = m.getModifiers();
            if (Modifier.isStatic(mod)) return where + " is static; handlers are public instance methods";
            if (!Modifier.isPublic(mod)) {
                return where + " is not public; only public methods are handlers: make it public";
            }
            if (onDown != null && onDown.key().equals(HandlerKey.of(name, parameterTypes))) {
                return where + " is the service's Down hook, not a handler";
            }
            if (onExit != null && onExit.key().equals(HandlerKey.of(name, parameterTypes))) {
                return where + " is the service's Exit hook, not a handler";
            }
            if (parameterTypes.length == 0 && (ServiceIntrospector.isLifecycle(m)
                    || postConstructMethods().contains(name) || preDestroyMethods().contains(name))) {
                return where + " is a @PostConstruct/@PreDestroy method, not a handler";
            }
            return null;
        }
        return null;
    }

    @Override
    public String toString() {
        return "HandlerTable[" + serviceClass.getName() + ", " + handlers.length + " handlers]";
    }
}
