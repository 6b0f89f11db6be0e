package io.rusm.internal.service;

import java.util.Arrays;
import java.util.Objects;

/**
 * The message a client proxy sends to a resident service: which handler, with which arguments.
 *
 * <p>Designed to be serialized later (e.g. with Jackson, for clustering): the handler is named by
 * its {@link HandlerKey} (method name plus parameter type names, all strings), never by a
 * {@code Method} or a {@code MethodHandle}. {@code index} is only a hint: the position of the handler
 * in the service's {@link HandlerTable} as the client saw it when it was bound, or {@code -1}. The
 * receiver checks the hint against the key (a reference comparison when both sides share the
 * definition, as in one JVM) and falls back to one map lookup by key when it does not match, so a
 * stale or foreign hint costs a lookup, never a wrong dispatch. {@code args} would need type
 * information (or the handler's parameter types, which the key names) to be deserialized.
 *
 * <p>The arguments are passed by reference within a JVM: neither side may mutate them.
 *
 * @param handler the handler to run
 * @param index   position hint into the receiver's handler table, or {@code -1}
 * @param args    the arguments, never null (empty for none); owned by this invocation
 */
public record Invocation(HandlerKey handler, int index, Object[] args) implements io.rusm.internal.memory.CarriesPayload {

    public static final Object[] NO_ARGS = {};

    public Invocation {
        Objects.requireNonNull(handler, "handler");
        if (args == null) args = NO_ARGS;
    }

    /** The arguments: what the call brings into the service (the memory cap's large-message check). */
    @Override
    public Object payload() {
        return args;
    }

    /** The handler's method name (the {@code method} tag of call metrics). */
    public String method() {
        return handler.method();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Invocation i && handler.equals(i.handler) && Arrays.equals(args, i.args);
    }

    @Override
    public int hashCode() {
        return handler.hashCode() * 31 + Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        return "Invocation[" + handler + ", " + args.length + (args.length == 1 ? " arg]" : " args]");
    }
}
