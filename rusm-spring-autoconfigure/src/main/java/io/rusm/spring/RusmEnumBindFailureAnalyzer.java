package io.rusm.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A bind failure of a {@code rusm.*} enum property (strategy, restart type, on-root-escalation, Kv
 * store), reported in the spellings the documentation uses ({@code one-for-one}), not the Java
 * constants Boot's own analyzer lists ({@code ONE_FOR_ONE}). Runs before Boot's analyzer.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class RusmEnumBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> {

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        Class<?> type = cause.getTarget().getType().resolve();
        if (type == null || !type.isEnum() || cause.getProperty() == null) return null;
        String property = cause.getProperty().getName().toString();
        if (!property.startsWith("rusm.")) return null;
        String values = Arrays.stream(type.getEnumConstants()).map(c -> kebab((Enum<?>) c)).collect(Collectors.joining(", "));
        return new FailureAnalysis("Invalid rusm configuration at '" + property + "': '" + cause.getProperty().getValue()
                + "' is not one of " + values + (cause.getProperty().getOrigin() == null ? ""
                : " (origin: " + cause.getProperty().getOrigin() + ")"),
                "Set " + property + " to one of: " + values + ".", cause);
    }

    /** {@code ONE_FOR_ONE} → {@code one-for-one}, as Boot's relaxed binding accepts it. */
    static String kebab(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
