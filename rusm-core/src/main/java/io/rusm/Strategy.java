package io.rusm;

/** Which children a supervisor restarts when one of them exits and is due a restart. */
public enum Strategy {
    /** Only the child that exited. */
    ONE_FOR_ONE,
    /** All children: the others are stopped (reverse start order), then all start again in order. */
    ONE_FOR_ALL,
    /** The child that exited and every child started after it. */
    REST_FOR_ONE,
    /**
     * OTP's {@code simple_one_for_one}: a pool of like workers, all started on request from the
     * supervisor's one {@link WorkerTemplate} with per-child arguments
     * ({@link Supervisor#startChild(Object...)}); only the child that exited is restarted.
     */
    SIMPLE_ONE_FOR_ONE;

    /** The configuration spelling: {@code one-for-one}, {@code one-for-all}, {@code rest-for-one}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
