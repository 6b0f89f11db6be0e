package io.rusm.spring.actuate;

import io.micrometer.observation.Observation;

/** What a {@link RusmCallObservationConvention} sees of one client call. */
public class RusmCallObservationContext extends Observation.Context {
    private final String service;
    private final String method;
    private String outcome = "ok";

    public RusmCallObservationContext(String service, String method) {
        this.service = service;
        this.method = method;
    }

    /** The called service's name. */
    public String service() {
        return service;
    }

    /** The client method's name. */
    public String method() {
        return method;
    }

    /** {@code ok|error|crashed|timeout|noproc|full}, set when the call completes. */
    public String outcome() {
        return outcome;
    }

    public void outcome(String outcome) {
        this.outcome = outcome;
    }
}
