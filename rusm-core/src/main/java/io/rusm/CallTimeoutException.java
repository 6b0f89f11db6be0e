package io.rusm;

import java.time.Duration;

/** No reply within the call timeout. A late reply is discarded, never delivered to another call. */
public class CallTimeoutException extends RusmException {
    public CallTimeoutException(String target, Duration timeout) {
        super("no reply from " + target + " within " + timeout);
    }
}
