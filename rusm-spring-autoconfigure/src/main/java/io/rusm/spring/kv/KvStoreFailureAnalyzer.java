package io.rusm.spring.kv;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns {@link KvStoreOpenException} into a startup report naming the property, the cause and the fix. */
class KvStoreFailureAnalyzer extends AbstractFailureAnalyzer<KvStoreOpenException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KvStoreOpenException cause) {
        String action = cause.property().equals(RusmKvAutoConfiguration.PATH_PROPERTY)
                ? "Set " + RusmKvAutoConfiguration.PATH_PROPERTY + " to a directory this application can create and write."
                        + " Only one running instance may use a directory at a time (the store locks its file while open):"
                        + " stop the other one or give each instance its own directory. Or set "
                        + RusmKvAutoConfiguration.STORE_PROPERTY + "=jdbc to keep Kv entries in the application's DataSource."
                : "Check that the application's DataSource (spring.datasource.*) is reachable and that its user may create"
                        + " the table rusm_kv (or create it as the rusm README shows), or set "
                        + RusmKvAutoConfiguration.STORE_PROPERTY + "=embedded.";
        return new FailureAnalysis("rusm could not open its Kv store (" + cause.property() + "=" + cause.value() + "): "
                + cause.getMessage(), action, cause);
    }
}
