package io.rusm.internal.client;

import io.rusm.Cast;
import io.rusm.ServiceDefinition;
import io.rusm.ServiceDefinitionException;
import io.rusm.internal.service.Handler;
import io.rusm.internal.service.HandlerKey;
import io.rusm.internal.service.HandlerTable;
import io.rusm.internal.service.Signatures;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Matches a {@code @ServiceClient} interface against a service's handlers, once, and turns each
 * method into a {@link Dispatch}. The mapping rule (also in the javadoc of {@code @ServiceClient}):
 * <ul>
 *   <li>{@code @Cast void m(P..)}: a send to handler {@code m(P..)} (same name, exactly the same
 *       erased parameter types); its result is ignored. {@code @Cast} on a non-void method is an
 *       error.</li>
 *   <li>{@code CompletableFuture<T> m(P..)}: an asynchronous call to {@code m(P..)}, or if there is
 *       none and {@code m} ends with {@code Async}, to the handler named without the suffix. {@code T}
 *       must fit the handler's return type ({@code Void}/{@code Object} for a void handler).</li>
 *   <li>{@code R m(P..)}: a call to {@code m(P..)}. {@code R} must be void or assignable from the
 *       handler's return type with boxing; a primitive {@code R} needs the same primitive or its
 *       wrapper. Each checked exception the handler declares must be declared by the client method.</li>
 * </ul>
 * Every mismatch is collected and reported in one {@link ServiceDefinitionException}.
 */
public final class ClientValidator {
    private static final String ASYNC_SUFFIX = "Async";

    private ClientValidator() {}

    /** Checks {@code clientInterface} against {@code definition}; throws listing every problem. */
    public static void validate(Class<?> clientInterface, ServiceDefinition definition) {
        dispatchTable(clientInterface, definition);
    }

    /** The validated dispatch table of a client of {@code definition}. */
    static Map<Method, Dispatch> dispatchTable(Class<?> clientInterface, ServiceDefinition definition) {
        return dispatchTable(clientInterface, definition, false, null);
    }

    /**
     * The validated dispatch table of a client of {@code definition}, which is a keyed service if
     * {@code keyed}; {@code boundKey} is the key a bound client talks to (null: methods name it with {@code @Key}).
     */
    static Map<Method, Dispatch> dispatchTable(Class<?> clientInterface, ServiceDefinition definition, boolean keyed, String boundKey) {
        if (boundKey != null && !keyed) {
            throw new ServiceDefinitionException("Client " + clientInterface.getName() + " was bound to key '" + boundKey
                    + "', but service '" + definition.name() + "' (" + definition.serviceClass().getName()
                    + ") is not keyed; set its placement to keyed (rusm.components." + definition.name()
                    + ".placement: keyed, or Node.keyedService), or create the client without a key");
        }
        HandlerTable table = definition.handlerTable();
        Map<Method, Dispatch> out = objectAndDefaultMethods(clientInterface);
        List<String> problems = new ArrayList<>();
        for (Method m : clientMethods(clientInterface)) {
            try {
                boolean keyArg = keyParameter(m, boundKey);
                if (keyArg && !keyed) {
                    throw new Problem("its first parameter is @Key, but service '" + definition.name() + "' is not keyed; set rusm.components."
                            + definition.name() + ".placement: keyed (or use Node.keyedService), or remove @Key");
                }
                if (!keyArg && keyed && boundKey == null) {
                    throw new Problem("names no key, but service '" + definition.name() + "' is keyed (one process per key): annotate its first "
                            + "parameter @Key, or bind the client to one key with node.client(" + clientInterface.getSimpleName() + ".class, key)");
                }
                out.put(m, bindMethod(clientInterface, m, definition.serviceClass(), table, keyArg));
            } catch (Problem p) {
                problems.add(clientInterface.getSimpleName() + "." + Signatures.of(m) + ": " + p.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ServiceDefinitionException("Client interface " + clientInterface.getName() + " does not match service '"
                    + definition.name() + "' (" + definition.serviceClass().getName() + "):"
                    + problems.stream().map(p -> "\n  - " + p).collect(Collectors.joining()));
        }
        return Map.copyOf(out);
    }

    /**
     * The provisional table of a client whose service is not known yet: checks only what the
     * interface alone can show ({@code @Cast} on non-void methods) and maps each method by name and
     * parameter types, async ones without their {@code Async} suffix.
     */
    static Map<Method, Dispatch> unbound(Class<?> clientInterface) {
        return unbound(clientInterface, null);
    }

    /** {@link #unbound(Class)} for a client bound to {@code boundKey} (null: not bound). */
    static Map<Method, Dispatch> unbound(Class<?> clientInterface, String boundKey) {
        Map<Method, Dispatch> out = objectAndDefaultMethods(clientInterface);
        List<String> problems = new ArrayList<>();
        for (Method m : clientMethods(clientInterface)) {
            boolean keyArg;
            try {
                keyArg = keyParameter(m, boundKey);
            } catch (Problem p) {
                problems.add(clientInterface.getSimpleName() + "." + Signatures.of(m) + ": " + p.getMessage());
                continue;
            }
            Class<?>[] params = handlerParameters(m, keyArg);
            Dispatch guess = switch (kindOf(m)) {
                case CAST -> new Dispatch.Cast(HandlerKey.of(m.getName(), params), -1, keyArg);
                case ASYNC -> new Dispatch.Async(HandlerKey.of(withoutAsyncSuffix(m.getName()), params), -1, keyArg);
                case CALL -> new Dispatch.Call(HandlerKey.of(m.getName(), params), -1, keyArg, m.getReturnType() != void.class);
            };
            if (m.isAnnotationPresent(Cast.class) && m.getReturnType() != void.class) {
                problems.add(clientInterface.getSimpleName() + "." + Signatures.of(m) + ": " + castNotVoid(m));
            }
            out.put(m, new Dispatch.Unbound(m, guess));
        }
        if (!problems.isEmpty()) {
            throw new ServiceDefinitionException("Client interface " + clientInterface.getName() + " is not a valid @ServiceClient:"
                    + problems.stream().map(p -> "\n  - " + p).collect(Collectors.joining()));
        }
        return Map.copyOf(out);
    }

    private enum Kind { CALL, ASYNC, CAST }

    private static Kind kindOf(Method m) {
        if (m.isAnnotationPresent(Cast.class)) return Kind.CAST;
        if (m.getReturnType() == CompletableFuture.class) return Kind.ASYNC;
        return Kind.CALL;
    }

    /**
     * Whether {@code m}'s first parameter is its {@code @Key}; a {@code @Key} anywhere else, on a
     * method without parameters, or on a client bound to a key is a problem.
     */
    private static boolean keyParameter(Method m, String boundKey) {
        java.lang.reflect.Parameter[] ps = m.getParameters();
        for (int i = 1; i < ps.length; i++) {
            if (ps[i].isAnnotationPresent(io.rusm.Key.class)) {
                throw new Problem("@Key is on parameter " + (i + 1) + "; it must be on the first parameter, the key");
            }
        }
        boolean keyArg = ps.length > 0 && ps[0].isAnnotationPresent(io.rusm.Key.class);
        if (keyArg && boundKey != null) {
            throw new Problem("its first parameter is @Key, but this client is bound to key '" + boundKey
                    + "'; remove @Key from the interface, or create the client without a key (node.client(Class)) to name keys per call");
        }
        return keyArg;
    }

    /** The parameters the handler takes: the client method's, minus the key. */
    private static Class<?>[] handlerParameters(Method m, boolean keyArg) {
        Class<?>[] params = m.getParameterTypes();
        return keyArg ? java.util.Arrays.copyOfRange(params, 1, params.length) : params;
    }

    private static Dispatch bindMethod(Class<?> clientInterface, Method m, Class<?> serviceClass, HandlerTable table, boolean keyArg) {
        Kind kind = kindOf(m);
        if (kind == Kind.CAST && m.getReturnType() != void.class) throw new Problem(castNotVoid(m));
        Class<?>[] params = handlerParameters(m, keyArg);
        Handler h = table.find(HandlerKey.of(m.getName(), params));
        String alternative = kind == Kind.ASYNC && hasAsyncSuffix(m.getName()) ? withoutAsyncSuffix(m.getName()) : null;
        if (h == null && alternative != null) h = table.find(HandlerKey.of(alternative, params));
        if (h == null) throw new Problem(noHandler(m, params, alternative, serviceClass, table));
        switch (kind) {
            case CAST -> {
                return new Dispatch.Cast(h.key(), h.index(), keyArg);
            }
            case ASYNC -> {
                Class<?> value = futureValueType(m.getGenericReturnType());
                boolean fits = h.returnType() == void.class
                        ? value == Void.class || value == Object.class
                        : fits(value, h.returnType());
                if (!fits) {
                    throw new Problem("returns CompletableFuture<" + value.getSimpleName() + "> but handler " + h + " returns "
                            + h.returnType().getSimpleName() + "; declare CompletableFuture<"
                            + (h.returnType() == void.class ? "Void" : box(h.returnType()).getSimpleName()) + "> (or a supertype of it)");
                }
                return new Dispatch.Async(h.key(), h.index(), keyArg);
            }
            default -> {
                Class<?> r = m.getReturnType();
                if (r != void.class && h.returnType() == void.class) {
                    throw new Problem("returns " + r.getSimpleName() + " but handler " + h + " returns void; make the client method void");
                }
                if (r != void.class && !fits(r, h.returnType())) {
                    throw new Problem("returns " + r.getSimpleName() + " but handler " + h + " returns " + h.returnType().getSimpleName()
                            + "; the client's return type must be assignable from the handler's (boxing allowed), or void");
                }
                for (Class<?> thrown : h.exceptionTypes()) {
                    if (isChecked(thrown) && !covered(thrown, m.getExceptionTypes())) {
                        throw new Problem("handler " + h + " declares the checked exception " + thrown.getSimpleName()
                                + ", which the client method does not declare; add 'throws " + thrown.getSimpleName() + "' to it");
                    }
                }
                return new Dispatch.Call(h.key(), h.index(), keyArg, r != void.class);
            }
        }
    }

    private static String castNotVoid(Method m) {
        return "@Cast requires a void method (a send has no reply) but it returns " + m.getReturnType().getSimpleName()
                + "; make it void, or remove @Cast to make it a call";
    }

    private static String noHandler(Method m, Class<?>[] params, String alternative, Class<?> serviceClass, HandlerTable table) {
        String service = serviceClass.getSimpleName();
        for (String name : alternative == null ? List.of(m.getName()) : List.of(m.getName(), alternative)) {
            String why = table.whyNotHandler(name, params);
            if (why != null) return why;
        }
        String wanted = Signatures.of(m.getName(), params) + (alternative == null ? "" : " or " + Signatures.of(alternative, params));
        List<Handler> overloads = new ArrayList<>(table.named(m.getName()));
        if (alternative != null) overloads.addAll(table.named(alternative));
        if (!overloads.isEmpty()) {
            return "no handler " + wanted + " in " + service + "; the handlers with that name take "
                    + overloads.stream().map(h -> "(" + Signatures.parameters(h.parameterTypes()) + ")").collect(Collectors.joining(", "))
                    + ": parameter types must match exactly (same erased types, no widening or boxing), so change the client method's parameters to one of those";
        }
        String handlers = table.handlers().stream().map(h -> Signatures.of(h.method())).collect(Collectors.joining(", "));
        return "no handler " + wanted + " in " + service + "; add a public method " + Signatures.of(m.getName(), params) + " to " + service
                + " or remove this method from the client (handlers: " + (handlers.isEmpty() ? "none" : handlers) + ")";
    }

    private static Map<Method, Dispatch> objectAndDefaultMethods(Class<?> clientInterface) {
        Map<Method, Dispatch> out = new HashMap<>();
        try {
            out.put(Object.class.getMethod("equals", Object.class), new Dispatch.ObjectMethod(Dispatch.ObjectMethod.Kind.EQUALS));
            out.put(Object.class.getMethod("hashCode"), new Dispatch.ObjectMethod(Dispatch.ObjectMethod.Kind.HASH_CODE));
            out.put(Object.class.getMethod("toString"), new Dispatch.ObjectMethod(Dispatch.ObjectMethod.Kind.TO_STRING));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        for (Method m : clientInterface.getMethods()) {
            if (m.isDefault()) out.put(m, new Dispatch.Default(m));
        }
        return out;
    }

    /** The abstract instance methods, i.e. those that become messages. */
    private static List<Method> clientMethods(Class<?> clientInterface) {
        List<Method> out = new ArrayList<>();
        for (Method m : clientInterface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || isObjectMethod(m)) continue;
            out.add(m);
        }
        return out;
    }

    private static boolean isObjectMethod(Method m) {
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean hasAsyncSuffix(String name) {
        return name.length() > ASYNC_SUFFIX.length() && name.endsWith(ASYNC_SUFFIX);
    }

    private static String withoutAsyncSuffix(String name) {
        return hasAsyncSuffix(name) ? name.substring(0, name.length() - ASYNC_SUFFIX.length()) : name;
    }

    /** Whether a client return type {@code client} can hold what a handler returning {@code handler} replies. */
    static boolean fits(Class<?> client, Class<?> handler) {
        if (client.isPrimitive()) return box(client) == box(handler);
        return client.isAssignableFrom(box(handler));
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) return type;
        return switch (type.getName()) {
            case "boolean" -> Boolean.class;
            case "byte" -> Byte.class;
            case "char" -> Character.class;
            case "short" -> Short.class;
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "float" -> Float.class;
            case "double" -> Double.class;
            default -> Void.class;
        };
    }

    private static boolean isChecked(Class<?> thrown) {
        return !RuntimeException.class.isAssignableFrom(thrown) && !Error.class.isAssignableFrom(thrown);
    }

    private static boolean covered(Class<?> thrown, Class<?>[] declared) {
        for (Class<?> d : declared) if (d.isAssignableFrom(thrown)) return true;
        return false;
    }

    private static Class<?> futureValueType(Type returnType) {
        return returnType instanceof ParameterizedType p ? erase(p.getActualTypeArguments()[0]) : Object.class;
    }

    private static Class<?> erase(Type t) {
        return switch (t) {
            case Class<?> c -> c;
            case ParameterizedType p -> erase(p.getRawType());
            case WildcardType w -> erase(w.getUpperBounds()[0]);
            case TypeVariable<?> v -> erase(v.getBounds()[0]);
            case GenericArrayType a -> erase(a.getGenericComponentType()).arrayType();
            default -> Object.class;
        };
    }

    /** One mismatch, as a sentence; collected into the exception. */
    private static final class Problem extends RuntimeException {
        Problem(String message) {
            super(message, null, false, false);
        }
    }
}
