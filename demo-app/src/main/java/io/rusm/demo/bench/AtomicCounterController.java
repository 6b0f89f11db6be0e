package io.rusm.demo.bench;

import org.springframework.context.annotation.Profile;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark-only (profile {@code bench}, never active in the demo): the same endpoint as
 * {@code POST /api/counter/bump}, backed by an {@link AtomicLong} instead of the counter service, so
 * {@code bench/run} can measure what going through a resident service costs over HTTP.
 */
@Profile("bench")
@RestController
@RequestMapping("/bench/atomic-counter")
class AtomicCounterController {
    private final AtomicLong count = new AtomicLong();

    @PostMapping("/bump")
    Map<String, Long> bump(@RequestParam(defaultValue = "1") long by) {
        return Map.of("value", count.addAndGet(by));
    }
}
