package io.rusm.spring;

import io.rusm.ServiceDefinitionException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A service or client that does not fit (no handler, wrong return type, bad @Cast…) fails startup with the fix. */
class ServiceDefinitionFailureAnalyzer extends AbstractFailureAnalyzer<ServiceDefinitionException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ServiceDefinitionException cause) {
        return new FailureAnalysis("A rusm service or client is not valid: " + cause.getMessage(),
                "Make the @ServiceClient interface's methods match public handler methods of the @ResidentService "
                        + "(same name and parameter types; CompletableFuture<T> or an 'Async' suffix for async calls; "
                        + "@Cast only on void methods), as described in the rusm README.", cause);
    }
}
