package io.rusm.spring.actuate;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the observation of a client call. Define a bean of this type to change them
 * (extend {@link DefaultRusmCallObservationConvention} to add to its key values).
 */
public interface RusmCallObservationConvention extends ObservationConvention<RusmCallObservationContext> {
    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof RusmCallObservationContext;
    }
}
