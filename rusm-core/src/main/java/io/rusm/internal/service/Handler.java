package io.rusm.internal.service;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * One handler (or Down/Exit hook) of a service class, resolved once: a {@link MethodHandle} of type
 * {@code (Object target, Object[] args) Object} that spreads the arguments, returns {@code null} for
 * {@code void}, and throws exactly what the method throws. Calling it costs no reflective lookup.
 */
public final class Handler {
    private final int index;
    private final HandlerKey key;
    private final Method method;
    private final MethodHandle invoker;
    private final Class<?>[] exceptionTypes;
    private final int parameterCount;

    /**
     * @param method the method as declared (its name, types, annotations and {@code throws} clause)
     * @param target the handle to invoke (the method itself, or the public bridge that reaches it)
     */
    Handler(int index, Method method, MethodHandle target) {
        this.index = index;
        this.method = method;
        this.key = HandlerKey.of(method.getName(), method.getParameterTypes());
        this.parameterCount = method.getParameterCount();
        this.exceptionTypes = method.getExceptionTypes();
        this.invoker = target.asType(MethodType.genericMethodType(1 + parameterCount))
                .asSpreader(Object[].class, parameterCount);
    }

    /** Position in the handler table; -1 for a Down/Exit hook. */
    public int index() {
        return index;
    }

    public HandlerKey key() {
        return key;
    }

    public String name() {
        return method.getName();
    }

    public Method method() {
        return method;
    }

    public Class<?> returnType() {
        return method.getReturnType();
    }

    public Class<?>[] parameterTypes() {
        return method.getParameterTypes();
    }

    public int parameterCount() {
        return parameterCount;
    }

    /** The {@code throws} clause of the method. */
    public Class<?>[] exceptionTypes() {
        return exceptionTypes.clone();
    }

    /** Whether {@code failure} is an instance of a type in the method's {@code throws} clause. */
    public boolean declares(Throwable failure) {
        for (Class<?> type : exceptionTypes) {
            if (type.isInstance(failure)) return true;
        }
        return false;
    }

    /** Runs the method on {@code target}; re-throws whatever it throws, unchanged. */
    public Object invoke(Object target, Object[] args) {
        try {
            return invoker.invokeExact(target, args);
        } catch (Throwable t) {
            throw Handler.<RuntimeException>sneaky(t);
        }
    }

    /** {@code long bump(long)}. */
    public String signature() {
        return method.getReturnType().getSimpleName() + " " + Signatures.of(method);
    }

    @Override
    public String toString() {
        return method.getDeclaringClass().getSimpleName() + "." + Signatures.of(method);
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
