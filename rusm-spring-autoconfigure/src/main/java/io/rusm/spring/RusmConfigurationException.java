package io.rusm.spring;

/**
 * Invalid rusm configuration found at startup. Carries the offending property and how to fix it,
 * which {@link RusmFailureAnalyzer} turns into Spring Boot's startup failure report.
 */
public class RusmConfigurationException extends RuntimeException {
    private final String property;
    private final String description;
    private final String action;

    /**
     * @param description what is wrong, without the property: the message puts the property first
     *                    ({@code rusm.components.x.max-memory-mb must be positive, was -5}), since the
     *                    message is what logs and test failures show
     */
    public RusmConfigurationException(String property, String description, String action) {
        super(description.startsWith(property) ? description
                : property + (description.startsWith("must ") ? " " : ": ") + description);
        this.property = property;
        this.description = description;
        this.action = action;
    }

    /** What is wrong, without the property. */
    public String description() {
        return description;
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
