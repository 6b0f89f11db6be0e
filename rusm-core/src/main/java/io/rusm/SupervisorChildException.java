package io.rusm;

/**
 * The error answer of a request about a supervisor's children ({@link Supervisor#startChild},
 * {@link Supervisor#restartChild}, ...): OTP's {@code {error, Reason}}. The supervisor keeps
 * running; only the request failed.
 */
public class SupervisorChildException extends RusmException {

    /** OTP's error reasons. */
    public enum Problem {
        /** No child of that name (or pid) under this supervisor: {@code not_found}. */
        NOT_FOUND,
        /** The child runs; stop it first: {@code running}. */
        RUNNING,
        /** The supervisor is retrying the child's restart: {@code restarting}. */
        RESTARTING,
        /** A child of that name runs already: {@code {already_started, Pid}}. */
        ALREADY_STARTED,
        /** A child of that name exists but is not running; restart or delete it: {@code already_present}. */
        ALREADY_PRESENT,
        /** Named children do not exist in a simple-one-for-one supervisor, nor a template elsewhere: {@code simple_one_for_one}. */
        SIMPLE_ONE_FOR_ONE,
        /** The child's start failed (see the cause); it is left not running. */
        START_FAILED
    }

    private final Problem problem;
    private final Pid pid;

    /** {@code pid}: the running child for {@link Problem#ALREADY_STARTED}, else null; {@code cause}: why a start failed. */
    public SupervisorChildException(Problem problem, String message, Pid pid, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.pid = pid;
    }

    /** Which of OTP's errors this is. */
    public Problem problem() {
        return problem;
    }

    /** The running child for {@link Problem#ALREADY_STARTED}, else null. */
    public Pid pid() {
        return pid;
    }
}
