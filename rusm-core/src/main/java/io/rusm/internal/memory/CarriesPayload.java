package io.rusm.internal.memory;

/**
 * A message of rusm's own whose payload is only a part of it: the memory cap's large-message check
 * sizes {@link #payload()} instead of reading the whole message reflectively (a client call's
 * handler key is shared by every call, its arguments are what it brings in).
 */
public interface CarriesPayload {
    /** What the message brings into the process (a call's arguments). */
    Object payload();
}
