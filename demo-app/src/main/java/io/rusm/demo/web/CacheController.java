package io.rusm.demo.web;

import io.rusm.demo.cache.CacheClient;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** HTTP edge of the cache. */
@RestController
@RequestMapping("/api/cache")
class CacheController {
    private final CacheClient cache;

    CacheController(CacheClient cache) {
        this.cache = cache;
    }

    @GetMapping("/{key}")
    ResponseEntity<Map<String, String>> get(@PathVariable String key) {
        String value = cache.get(key);
        return value == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(Map.of("key", key, "value", value));
    }

    /** The value is the body as is ({@code text/plain}, JSON, anything but a form). */
    @PutMapping("/{key}")
    Map<String, String> put(@PathVariable String key, @RequestBody String value,
                            @RequestParam(defaultValue = "60000") long ttlMillis) {
        cache.put(key, value, ttlMillis);
        return Map.of("key", key, "value", value);
    }

    /** A form ({@code curl -X PUT -d value=one}): the value is the {@code value} field, decoded. */
    @PutMapping(path = "/{key}", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    Map<String, String> putForm(@PathVariable String key, @RequestParam MultiValueMap<String, String> form) {
        String ttl = form.getFirst("ttlMillis");
        return put(key, FormBodies.field(form, "value", "curl -X PUT -d value=one"), ttl == null ? 60_000 : parseTtl(ttl));
    }

    private static long parseTtl(String ttl) {
        try {
            return Long.parseLong(ttl);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ttlMillis must be a whole number of milliseconds, was '" + ttl + "'");
        }
    }

    @DeleteMapping("/{key}")
    ResponseEntity<Void> delete(@PathVariable String key) {
        return cache.delete(key) ? ResponseEntity.noContent().build() : ResponseEntity.notFound().build();
    }

    @GetMapping
    Map<String, Integer> size() {
        return Map.of("size", cache.size());
    }
}
