package io.rusm.internal.client;

import io.rusm.internal.service.HandlerKey;
import io.rusm.internal.service.Invocation;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a proxy does for one interface method, decided once when the client is bound: a call, an
 * asynchronous call, a send, a default method, or one of the {@code Object} methods. Per call the
 * proxy does one map lookup and one virtual call to {@link #invoke}.
 */
abstract sealed class Dispatch {

    abstract Object invoke(ServiceClientHandler client, Object proxy, Object[] args) throws Throwable;

    /** A message to the service's handler {@code key}: the shared part of calls and sends. */
    abstract static sealed class ToHandler extends Dispatch {
        private final HandlerKey key;
        private final int index;
        /** The first argument is the {@code @Key} of a keyed service: it names the target and is not sent. */
        private final boolean keyArg;

        ToHandler(HandlerKey key, int index, boolean keyArg) {
            this.key = key;
            this.index = index;
            this.keyArg = keyArg;
        }

        final Invocation invocation(Object[] args) {
            return new Invocation(key, index, keyArg ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
        }

        /** The process name this call goes to. */
        final String target(ServiceClientHandler client, Object[] args) {
            return keyArg ? client.keyTarget(args[0]) : client.target();
        }
    }

    /** A blocking call; {@code returnsValue} false for a void client method (the reply is dropped). */
    static final class Call extends ToHandler {
        private final boolean returnsValue;

        Call(HandlerKey key, int index, boolean keyArg, boolean returnsValue) {
            super(key, index, keyArg);
            this.returnsValue = returnsValue;
        }

        @Override
        Object invoke(ServiceClientHandler client, Object proxy, Object[] args) {
            Object reply = client.node().call(target(client, args), invocation(args), client.callTimeout());
            return returnsValue ? reply : null;
        }
    }

    /**
     * A call that returns a {@code CompletableFuture} at once. The node completes it off the service's
     * fiber (see {@code AsyncCall}); failures are passed on as is, never wrapped.
     */
    static final class Async extends ToHandler {
        Async(HandlerKey key, int index, boolean keyArg) {
            super(key, index, keyArg);
        }

        @Override
        Object invoke(ServiceClientHandler client, Object proxy, Object[] args) {
            return client.node().callAsync(target(client, args), invocation(args), client.callTimeout());
        }
    }

    /** A fire-and-forget send ({@code @Cast}). */
    static final class Cast extends ToHandler {
        Cast(HandlerKey key, int index, boolean keyArg) {
            super(key, index, keyArg);
        }

        @Override
        Object invoke(ServiceClientHandler client, Object proxy, Object[] args) {
            client.node().send(target(client, args), invocation(args));
            return null;
        }
    }

    /** A default interface method: runs as written, on the proxy. */
    static final class Default extends Dispatch {
        private final Method method;

        Default(Method method) {
            this.method = method;
        }

        @Override
        Object invoke(ServiceClientHandler client, Object proxy, Object[] args) throws Throwable {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
    }

    /** {@code equals}, {@code hashCode}, {@code toString}: identity, and a readable label. */
    static final class ObjectMethod extends Dispatch {
        enum Kind { EQUALS, HASH_CODE, TO_STRING }

        private final Kind kind;

        ObjectMethod(Kind kind) {
            this.kind = kind;
        }

        @Override
        Object invoke(ServiceClientHandler client, Object proxy, Object[] args) {
            return switch (kind) {
                case EQUALS -> proxy == args[0];
                case HASH_CODE -> System.identityHashCode(proxy);
                case TO_STRING -> client.toString();
            };
        }
    }

    /**
     * A method of a client whose service the node did not know yet: each call first tries to bind
     * (validate against the now known definition); until then it goes out as {@code guess}, the
     * mapping the interface alone implies, and a mismatch fails at the service.
     */
    static final class Unbound extends Dispatch {
        private final Method method;
        private final Dispatch guess;

        Unbound(Method method, Dispatch guess) {
            this.method = method;
            this.guess = guess;
        }

        @Override
        Object invoke(ServiceClientHandler client, Object proxy, Object[] args) throws Throwable {
            Map<Method, Dispatch> bound = client.tryBind();
            Dispatch d = bound != null ? bound.get(method) : guess;
            return d.invoke(client, proxy, args);
        }
    }
}
