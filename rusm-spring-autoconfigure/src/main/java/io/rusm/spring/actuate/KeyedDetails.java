package io.rusm.spring.actuate;

import io.rusm.KeyedStats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How health and {@code /actuator/rusm} show a keyed service: counts for the family on this node
 * (in a cluster each node shows its own), never an entry per key.
 */
final class KeyedDetails {
    private KeyedDetails() {}

    static Map<String, Object> of(KeyedStats stats, String node) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", node);
        out.put("liveKeys", stats.liveKeys());
        out.put("activations", stats.activations());
        out.put("restarts", stats.restarts());
        out.put("idleStops", stats.idleStops());
        out.put("gaveUp", stats.gaveUp());
        return out;
    }
}
