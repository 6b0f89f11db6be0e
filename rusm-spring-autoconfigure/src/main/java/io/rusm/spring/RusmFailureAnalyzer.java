package io.rusm.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns {@link RusmConfigurationException} into a startup report naming the property and the fix. */
public class RusmFailureAnalyzer extends AbstractFailureAnalyzer<RusmConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RusmConfigurationException cause) {
        return new FailureAnalysis("Invalid rusm configuration at '" + cause.property() + "': " + cause.description(),
                cause.action(), cause);
    }
}
