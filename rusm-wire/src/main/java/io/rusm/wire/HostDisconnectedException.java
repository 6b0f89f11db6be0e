package io.rusm.wire;

import io.rusm.RusmException;

/** The cause of an external service's crash when its host's stream broke (host killed, connection lost). */
public class HostDisconnectedException extends RusmException {
    public HostDisconnectedException(String message) {
        super(message);
    }
}
