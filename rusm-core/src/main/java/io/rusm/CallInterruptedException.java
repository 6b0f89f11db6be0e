package io.rusm;

/**
 * The calling thread was interrupted while it waited for a reply (for example because the calling
 * process itself was killed). The thread's interrupt status is kept set.
 */
public class CallInterruptedException extends RusmException {
    public CallInterruptedException(String target) {
        super("interrupted while waiting for " + target);
    }
}
