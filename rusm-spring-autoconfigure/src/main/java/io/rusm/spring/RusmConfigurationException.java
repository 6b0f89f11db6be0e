package io.rusm.spring;

/**
 * Invalid rusm configuration found at startup. Carries the offending property and how to fix it,
 * which {@link RusmFailureAnalyzer} turns into Spring Boot's startup failure report.
 */
public class RusmConfigurationException extends RuntimeException {
    private final String property;
    private final String action;

    public RusmConfigurationException(String property, String description, String action) {
        super(description);
        this.property = property;
        this.action = action;
    }

    /** The configuration property (or type) at fault, e.g. {@code rusm.components.counter.restart}. */
    public String property() {
        return property;
    }

    /** What the user should do about it. */
    public String action() {
        return action;
    }
}
