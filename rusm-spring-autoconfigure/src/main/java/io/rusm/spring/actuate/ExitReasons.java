package io.rusm.spring.actuate;

import io.rusm.ExitReason;
import org.jspecify.annotations.Nullable;

import java.util.LinkedHashMap;
import java.util.Map;

/** Renders exit reasons for JSON (health details, the actuator endpoint): label, and for crashes the exception. */
final class ExitReasons {
    private ExitReasons() {}

    static @Nullable Object describe(@Nullable ExitReason reason) {
        if (reason == null) return null;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reason", reason.label());
        switch (reason) {
            case ExitReason.Crashed c -> {
                out.put("exception", c.cause().getClass().getName());
                out.put("message", c.cause().getMessage());
            }
            case ExitReason.MemoryLimit m -> {
                out.put("usedBytes", m.usedBytes());
                out.put("limitBytes", m.limitBytes());
            }
            default -> { }
        }
        return out;
    }
}
