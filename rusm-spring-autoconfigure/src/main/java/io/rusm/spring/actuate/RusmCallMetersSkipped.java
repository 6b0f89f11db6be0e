package io.rusm.spring.actuate;

import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import org.springframework.core.Ordered;

/**
 * First in Boot's group of meter observation handlers (a first-match group), it takes each call's
 * observation and does nothing with it, while {@code rusmCallObservationMeterFilter} denies the
 * meters the default handler would derive from it anyway: that handler built (and the filter then
 * threw away) a timer and a long-task timer per call, a visible share of an HTTP request through a
 * service. Registered only together with rusm's own filter: an application that defines its own
 * {@code rusmCallObservationMeterFilter} to keep those meters gets them from Boot's handler as
 * before. Other handler groups (tracing) are not affected.
 */
final class RusmCallMetersSkipped implements MeterObservationHandler<RusmCallObservationContext>, Ordered {
    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof RusmCallObservationContext;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
