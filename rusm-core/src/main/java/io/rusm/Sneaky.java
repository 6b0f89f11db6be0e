package io.rusm;

/** Re-throws any throwable unchanged, so a handler's declared checked exception reaches its caller as is. */
final class Sneaky {
    private Sneaky() {}

    @SuppressWarnings("unchecked")
    static <T extends Throwable> T rethrow(Throwable t) throws T {
        throw (T) t;
    }
}
