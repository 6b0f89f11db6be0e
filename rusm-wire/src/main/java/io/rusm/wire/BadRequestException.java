package io.rusm.wire;

import io.rusm.RusmException;

/**
 * A call over the wire was refused before it reached the service: malformed JSON, the wrong number
 * or types of arguments, no handler of that name, or a message over the node's size limit. The
 * service never saw it.
 */
public class BadRequestException extends RusmException {
    public BadRequestException(String message) {
        super(message);
    }

    public BadRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
