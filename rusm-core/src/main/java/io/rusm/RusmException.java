package io.rusm;

/** Base of every failure a call, send or lookup can raise. All are unchecked. */
public class RusmException extends RuntimeException {
    public RusmException(String message) {
        super(message);
    }

    public RusmException(String message, Throwable cause) {
        super(message, cause);
    }
}
