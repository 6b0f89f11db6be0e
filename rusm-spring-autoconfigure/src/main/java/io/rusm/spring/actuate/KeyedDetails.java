package io.rusm.spring.actuate;

import io.rusm.KeyedStats;

import java.util.LinkedHashMap;
import java.util.Map;

/** How health and {@code /actuator/rusm} show a keyed service: counts for the family, never an entry per key. */
final class KeyedDetails {
    private KeyedDetails() {}

    static Map<String, Object> of(KeyedStats stats) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("liveKeys", stats.liveKeys());
        out.put("activations", stats.activations());
        out.put("restarts", stats.restarts());
        out.put("idleStops", stats.idleStops());
        out.put("gaveUp", stats.gaveUp());
        return out;
    }
}
