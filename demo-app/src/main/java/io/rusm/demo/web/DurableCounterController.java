package io.rusm.demo.web;

import io.rusm.demo.durable.DurableCounterClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** HTTP edge of the durable counter. */
@RestController
@RequestMapping("/api/durable-counter")
class DurableCounterController {
    private final DurableCounterClient counter;

    DurableCounterController(DurableCounterClient counter) {
        this.counter = counter;
    }

    @PostMapping("/bump")
    Map<String, Long> bump(@RequestParam(defaultValue = "1") long by) {
        return Map.of("value", counter.bump(by));
    }

    @GetMapping
    Map<String, Long> total() {
        return Map.of("value", counter.total());
    }
}
