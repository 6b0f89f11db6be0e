package io.rusm.spring.actuate;

import io.micrometer.common.KeyValues;

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

    @Override
    public KeyValues getLowCardinalityKeyValues(RusmCallObservationContext context) {
        return KeyValues.of("service", context.service(), "method", context.method(), "outcome", context.outcome());
    }
}
