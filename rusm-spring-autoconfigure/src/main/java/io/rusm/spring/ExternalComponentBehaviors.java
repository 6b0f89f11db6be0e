package io.rusm.spring;

import io.rusm.Behavior;

import java.util.function.Supplier;

/**
 * Makes the behavior of components declared {@code runtime: external} (their code runs in another
 * program attached over the wire). Provided by the wire's auto-configuration when
 * {@code rusm-wire} is on the classpath and {@code rusm.wire.port} is set; this module knows no
 * wire types.
 */
@FunctionalInterface
public interface ExternalComponentBehaviors {
    Supplier<? extends Behavior> behavior(String component, RusmProperties.Component settings);
}
