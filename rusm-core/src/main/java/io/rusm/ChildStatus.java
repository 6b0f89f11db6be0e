package io.rusm;

/** Where a supervised child stands. */
public enum ChildStatus {
    /** Its current incarnation is running. */
    RUNNING,
    /** A non-resident child that has not been started yet: it starts on its first call or send. */
    IDLE,
    /** It exited and its supervisor is (re)starting it. */
    RESTARTING,
    /**
     * Not running and not to be restarted: a transient child that ended normally, one terminated by
     * request or that declined to start, or one whose supervisor stopped. (A temporary child that
     * ends is removed instead, as in OTP.)
     */
    STOPPED,
    /** Its supervisor gave up (restart intensity exceeded) and stopped it. */
    ESCALATED
}
