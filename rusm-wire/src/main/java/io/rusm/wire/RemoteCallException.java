package io.rusm.wire;

import io.rusm.RusmException;

/**
 * A failure that came over the wire as a type this JVM cannot rebuild: a declared error of a
 * TypeScript service, a Java exception class not on this classpath, or the cause of a remote crash.
 * {@link #remoteType()} is the remote type's name (Java binary class name, or a TypeScript error's
 * {@code name}).
 */
public class RemoteCallException extends RusmException {
    private final String remoteType;
    private final String remoteMessage;

    public RemoteCallException(String remoteType, String remoteMessage) {
        super(remoteType + (remoteMessage == null || remoteMessage.isEmpty() ? "" : ": " + remoteMessage));
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    public String remoteType() {
        return remoteType;
    }

    public String remoteMessage() {
        return remoteMessage;
    }
}
