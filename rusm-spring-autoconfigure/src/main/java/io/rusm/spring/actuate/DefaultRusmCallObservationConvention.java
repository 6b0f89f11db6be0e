package io.rusm.spring.actuate;

import io.micrometer.common.KeyValues;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * rusm's default: name {@value #NAME}, contextual name {@code service.method}, low-cardinality
 * key values {@code service}, {@code method} and {@code outcome}.
 */
public class DefaultRusmCallObservationConvention implements RusmCallObservationConvention {
    public static final String NAME = "rusm.call";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(RusmCallObservationContext context) {
        return context.service() + "." + context.method();
    }

    /**
     * Made once per service, method and outcome (bounded: a client's service and its interface's
     * methods), not twice per call: {@code KeyValues.of} sorts what it is given.
     */
    private final Map<String, Map<String, Map<String, KeyValues>>> keyValues = new ConcurrentHashMap<>();

    @Override
    public KeyValues getLowCardinalityKeyValues(RusmCallObservationContext context) {
        String service = context.service(), method = context.method(), outcome = context.outcome();
        Map<String, Map<String, KeyValues>> byMethod = keyValues.get(service);
        if (byMethod == null) byMethod = keyValues.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
        Map<String, KeyValues> byOutcome = byMethod.get(method);
        if (byOutcome == null) byOutcome = byMethod.computeIfAbsent(method, m -> new ConcurrentHashMap<>());
        KeyValues values = byOutcome.get(outcome);
        if (values == null) {
            values = byOutcome.computeIfAbsent(outcome, o -> KeyValues.of("service", service, "method", method, "outcome", o));
        }
        return values;
    }
}
