package io.rusm.wire.internal;

import io.rusm.Behavior;
import io.rusm.Cast;
import io.rusm.NoProcessException;
import io.rusm.Pid;
import io.rusm.ProcessContext;
import io.rusm.internal.service.HandlerKey;
import io.rusm.internal.service.Invocation;
import io.rusm.wire.BadRequestException;
import io.rusm.wire.ExternalServices;
import io.rusm.wire.RemoteCallException;
import io.rusm.wire.v1.DeclaredError;
import io.rusm.wire.v1.Result;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The behavior of one incarnation of an external service: each message is forwarded to the
 * attached host and the fiber waits for its result. Java callers' {@link Invocation}s are written
 * as JSON and their replies read back as the client method's return type; wire callers'
 * {@link JsonInvocation}s pass through as JSON. The incarnation's state on the host is started on
 * the first message it handles on a host (after a restart: a fresh worker).
 */
public final class ExternalBehavior implements Behavior {
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final ExternalServices services;
    private final ExternalServices.Declared declared;
    private Pid self;
    private HostSession startedOn;
    private Throwable answer;

    public ExternalBehavior(ExternalServices services, ExternalServices.Declared declared) {
        this.services = services;
        this.declared = declared;
    }

    @Override
    public void init() {
        self = ProcessContext.self();
    }

    @Override
    public Object handle(Object message) throws Exception {
        return handleMessage(message);
    }

    private Object handleMessage(Object message) throws Exception {
        answer = null;
        String method;
        String args;
        Type returnType = null;
        boolean raw;
        switch (message) {
            case Invocation inv -> {
                method = inv.method();
                args = Json.write(inv.args());
                returnType = declared.returnTypes().get(inv.handler().toString());
                raw = false;
            }
            case JsonInvocation j -> {
                method = j.method();
                args = j.argsJson();
                raw = true;
            }
            default -> {
                return null; // Down / Exit: nothing to forward
            }
        }
        HostSession host = services.host(declared.name());
        if (host == null || host.isClosed()) {
            throw answer(new NoProcessException(declared.name() + " (no host attached)"));
        }
        if (host != startedOn) {
            host.start(self, declared.maxMemoryMb(), START_TIMEOUT);
            startedOn = host;
        }
        CompletableFuture<Result> pending = host.invoke(self, method, args);
        Result result;
        try {
            result = pending.get();
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
        return switch (result.getOutcomeCase()) {
            case RESULT_JSON -> raw ? new RawJson(result.getResultJson())
                    : returnType == void.class || returnType == Void.class ? null
                    : Json.read(result.getResultJson(), returnType != null ? returnType : Object.class);
            case ERROR -> throw Failures.rethrow(answer(raw ? remote(result.getError()) : declaredError(result.getError())));
            case BAD_REQUEST -> throw answer(new BadRequestException(result.getBadRequest()));
            case NO_HANDLER -> throw answer(new Failures.NoHandlerException(result.getNoHandler()));
            case OUTCOME_NOT_SET -> null;
        };
    }

    private <T extends Throwable> T answer(T t) {
        answer = t;
        return t;
    }

    private static RemoteCallException remote(DeclaredError e) {
        return new RemoteCallException(e.getErrorType(), e.getMessage());
    }

    /** The client interface's declared exception of that simple name, else {@link RemoteCallException}. */
    private Throwable declaredError(DeclaredError e) {
        Class<?> type = declared.errorTypes().get(e.getErrorType());
        if (type != null) {
            try {
                return (Throwable) type.getConstructor(String.class).newInstance(e.getMessage());
            } catch (ReflectiveOperationException ignored) {
                // no (String) constructor: fall back
            }
        }
        return remote(e);
    }

    @Override
    public boolean isDeclaredFailure(Object message, Throwable failure) {
        return failure == answer;
    }

    @Override
    public void terminate() {
        if (startedOn != null) startedOn.stopped(self);
    }

    /** The JVM holds nothing of the service's state: it lives on the host, under the host's heap limit. */
    @Override
    public Object state() {
        return null;
    }

    @Override
    public String toString() {
        return "ExternalBehavior[" + declared.name() + "]";
    }

    // ---- what the client interfaces say ------------------------------------------------------

    /** Handler key ({@link HandlerKey#toString()}) to the Java type its reply is read as. */
    public static Map<String, Type> returnTypes(Collection<Class<?>> clientInterfaces) {
        Map<String, Type> out = new HashMap<>();
        for (Class<?> c : clientInterfaces) {
            for (Method m : c.getMethods()) {
                if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.isAnnotationPresent(Cast.class)) continue;
                String name = m.getName();
                Type type = m.getGenericReturnType();
                if (m.getReturnType() == CompletableFuture.class && name.endsWith("Async") && name.length() > 5) {
                    name = name.substring(0, name.length() - 5);
                    type = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
                }
                out.putIfAbsent(HandlerKey.of(name, m.getParameterTypes()).toString(), type);
            }
        }
        return Map.copyOf(out);
    }

    /** Simple names of the exceptions the client interfaces declare, to rebuild declared errors by name. */
    public static Map<String, Class<?>> errorTypes(Collection<Class<?>> clientInterfaces) {
        Map<String, Class<?>> out = new HashMap<>();
        for (Class<?> c : clientInterfaces) {
            for (Method m : c.getMethods()) {
                for (Class<?> e : m.getExceptionTypes()) out.putIfAbsent(e.getSimpleName(), e);
            }
        }
        return Map.copyOf(out);
    }
}
