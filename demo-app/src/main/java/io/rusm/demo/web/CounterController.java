package io.rusm.demo.web;

import io.rusm.demo.counter.CounterClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** HTTP edge of the counter: stateless, every request is a message to the service. */
@RestController
@RequestMapping("/api/counter")
class CounterController {
    private final CounterClient counter;

    CounterController(CounterClient counter) {
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

    @PostMapping("/reset")
    Map<String, String> reset() {
        counter.reset();
        return Map.of("status", "sent");
    }
}
