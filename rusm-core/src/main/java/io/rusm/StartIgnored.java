package io.rusm;

/**
 * Thrown from a child's start ({@link Behavior#init()}, or a {@code @ResidentService}'s constructor
 * or {@code @PostConstruct}) to decline starting, as OTP's {@code init} returning {@code ignore}:
 * the process ends {@code normal} without being counted or logged as a crash, and its supervisor
 * keeps the child as not running (a {@code temporary} child, or one of a simple-one-for-one pool,
 * is dropped). Not a failure: the supervisor's own start goes on, no restart is made.
 */
public final class StartIgnored extends RusmException {
    public StartIgnored(String why) {
        super(why);
    }

    /** Whether {@code t}, or a cause of it, is a {@code StartIgnored}. */
    public static boolean isIn(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof StartIgnored) return true;
        return false;
    }
}
