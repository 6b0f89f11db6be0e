package io.rusm.demo.cache;

import io.rusm.Every;
import io.rusm.ResidentService;
import io.rusm.demo.chaos.DemoCrash;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A string cache with a TTL per entry and a bound on entries (least recently used goes first).
 * Plain collections are enough: only this service's fiber ever touches them. It runs under a
 * {@code max-memory-mb} cap in the demo's configuration. Expired entries are dropped when read and,
 * so that entries nobody reads again do not sit there until evicted, by an {@link Every @Every} sweep
 * that runs on the cache's own fiber (no lock, and it stops and restarts with the cache).
 */
@ResidentService("cache")
public class Cache {
    /** Entries beyond this are evicted, least recently used first. */
    static final int MAX_ENTRIES = 10_000;

    /** The longest TTL: far beyond any cache's use, and now + TTL can never overflow into the past. */
    public static final long MAX_TTL_MILLIS = java.time.Duration.ofDays(365).toMillis();

    private record Entry(String value, long expiresAtMillis) {}

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    public String get(String key) {
        Entry e = entries.get(key);
        if (e == null) return null;
        if (e.expiresAtMillis() <= System.currentTimeMillis()) {
            entries.remove(key);
            return null;
        }
        return e.value();
    }

    /** A bad TTL is the caller's mistake: declared, so the caller gets it and the cache keeps its entries. */
    public void put(String key, String value, long ttlMillis) throws IllegalArgumentException {
        if (ttlMillis <= 0) throw new IllegalArgumentException("ttlMillis must be positive, was " + ttlMillis);
        if (ttlMillis > MAX_TTL_MILLIS) {
            throw new IllegalArgumentException("ttlMillis must be at most " + MAX_TTL_MILLIS + " (365 days), was " + ttlMillis);
        }
        entries.put(key, new Entry(value, System.currentTimeMillis() + ttlMillis));
        if (entries.size() > MAX_ENTRIES) {
            Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** Drops every expired entry; returns how many. Runs every 10 s, and callable like any handler. */
    @Every("10s")
    public int expire() {
        long now = System.currentTimeMillis();
        int before = entries.size();
        entries.values().removeIf(e -> e.expiresAtMillis() <= now);
        return before - entries.size();
    }

    public boolean delete(String key) {
        return entries.remove(key) != null;
    }

    public int size() {
        return entries.size();
    }

    /** DEMO ONLY: a handler that throws an undeclared exception, i.e. a crash (see the chaos endpoint). */
    public void crash(String why) {
        throw new DemoCrash(why);
    }
}
