package io.rusm.internal.service;

import io.rusm.Every;
import io.rusm.ServiceDefinitionException;
import io.rusm.Timers;
import io.rusm.internal.timer.Durations;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@link Every @Every} methods of a service class, checked at definition time. Each is also an
 * ordinary handler (a public no-arg method); its timer's message is the {@link Periodic} itself,
 * which the behavior runs like a cast to that handler.
 */
final class EveryMethods {
    private EveryMethods() {}

    /** One {@code @Every} method: the handler it runs and its timing. */
    record Periodic(Handler handler, Duration interval, Duration initialDelay) {
        Key key() {
            return new Key(handler.name());
        }
    }

    /** The timer key of an {@code @Every} method, distinct from any key user code could start by accident. */
    record Key(String method) {
        @Override
        public String toString() {
            return "@Every(" + method + ")";
        }
    }

    static List<Periodic> scan(Class<?> type, List<Handler> handlers) {
        List<Periodic> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                Every every = m.getAnnotation(Every.class);
                if (every == null || m.isBridge() || m.isSynthetic() || !seen.add(m.getName())) continue; // an override wins
                String where = "@Every method " + Signatures.qualified(c, m);
                int mod = m.getModifiers();
                if (Modifier.isStatic(mod) || !Modifier.isPublic(mod) || m.getParameterCount() != 0) {
                    throw new ServiceDefinitionException(where + " must be a public instance method taking no parameters");
                }
                Duration interval = duration(where, "value", every.value());
                if (interval.isZero() || interval.isNegative()) {
                    throw new ServiceDefinitionException(where + ": the interval must be positive, was '" + every.value() + "'");
                }
                Duration initial = every.initialDelay().isBlank() ? interval : duration(where, "initialDelay", every.initialDelay());
                if (initial.isNegative()) {
                    throw new ServiceDefinitionException(where + ": initialDelay must not be negative, was '" + every.initialDelay() + "'");
                }
                Handler h = handlers.stream().filter(x -> x.name().equals(m.getName()) && x.parameterCount() == 0)
                        .findFirst().orElseThrow(() -> new ServiceDefinitionException(where + " is not a handler of " + type.getName()));
                out.add(new Periodic(h, interval, initial));
            }
        }
        return List.copyOf(out);
    }

    /** Starts the timers of an incarnation, on its fiber. */
    static void start(List<Periodic> periodic, Timers timers) {
        for (Periodic p : periodic) timers.startFixedRate(p.key(), p.initialDelay(), p.interval(), p);
    }

    private static Duration duration(String where, String attribute, String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ServiceDefinitionException(where + ": " + attribute + " " + e.getMessage(), e);
        }
    }
}
