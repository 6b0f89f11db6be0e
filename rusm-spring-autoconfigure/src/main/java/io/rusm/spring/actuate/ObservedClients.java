package io.rusm.spring.actuate;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.rusm.event.CallOutcome;
import io.rusm.spring.ServiceClientCustomizer;
import org.jspecify.annotations.Nullable;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Makes every client call a Micrometer {@link Observation}, named and tagged by the
 * {@link RusmCallObservationConvention} (by default {@code rusm.call} with low-cardinality key values
 * {@code service}, {@code method} and {@code outcome}), so calls show up as spans when the
 * application has tracing. The SPEC's {@code rusm.calls} timer is recorded independently by
 * {@link RusmMetrics}.
 */
public final class ObservedClients implements ServiceClientCustomizer {
    private static final RusmCallObservationConvention DEFAULT = new DefaultRusmCallObservationConvention();

    private final ObservationRegistry registry;
    private final @Nullable RusmCallObservationConvention custom;

    /** @param convention the application's convention, or null for {@link DefaultRusmCallObservationConvention} */
    public ObservedClients(ObservationRegistry registry, @Nullable RusmCallObservationConvention convention) {
        this.registry = registry;
        this.custom = convention;
    }

    static RusmCallObservationConvention conventionOrDefault(@Nullable RusmCallObservationConvention convention) {
        return convention == null ? DEFAULT : convention;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T customize(Class<T> type, String service, T client) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> client.toString();
                };
            }
            return observe(service, method, client, args);
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, handler);
    }

    private Object observe(String service, Method method, Object client, Object[] args) throws Throwable {
        RusmCallObservationContext context = new RusmCallObservationContext(service, method.getName());
        Observation observation = Observation.createNotStarted(custom, DEFAULT, () -> context, registry).start();
        Object result;
        try (Observation.Scope scope = observation.openScope()) {
            result = invoke(method, client, args);
        } catch (Throwable t) {
            stop(observation, context, t);
            throw t;
        }
        if (result instanceof CompletableFuture<?> future) {
            // Not future.whenComplete(...): its future would wrap a failure in a CompletionException,
            // and an observed client must fail exactly as the plain one does (with the exception as is).
            CompletableFuture<Object> out = new CompletableFuture<>();
            future.whenComplete((v, t) -> {
                stop(observation, context, t instanceof CompletionException ce ? ce.getCause() : t);
                if (t == null) out.complete(v);
                else out.completeExceptionally(t);
            });
            return out;
        }
        stop(observation, context, null);
        return result;
    }

    private static void stop(Observation observation, RusmCallObservationContext context, @Nullable Throwable failure) {
        context.outcome(CallOutcome.of(failure).tag());
        if (failure != null) observation.error(failure);
        observation.stop();
    }


    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
