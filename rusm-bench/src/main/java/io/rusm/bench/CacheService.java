package io.rusm.bench;

import io.rusm.ResidentService;
import jakarta.annotation.PostConstruct;

import java.util.HashMap;
import java.util.Map;

/** A read-mostly cache of {@value #ENTRIES} entries, filled when an incarnation starts. */
@ResidentService("bench-cache")
public class CacheService {
    public static final int ENTRIES = 100_000;
    private final Map<Integer, String> entries = new HashMap<>();

    @PostConstruct
    void fill() {
        for (int i = 0; i < ENTRIES; i++) entries.put(i, "value-" + i);
    }

    public String get(int key) {
        return entries.get(key);
    }

    public int size() {
        return entries.size();
    }
}
