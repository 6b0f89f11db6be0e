package io.rusm.demo.web;

import io.rusm.demo.cache.CacheClient;
import org.springframework.http.ResponseEntity;
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

    @PutMapping("/{key}")
    Map<String, String> put(@PathVariable String key, @RequestBody String value,
                            @RequestParam(defaultValue = "60000") long ttlMillis) {
        cache.put(key, value, ttlMillis);
        return Map.of("key", key, "value", value);
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
