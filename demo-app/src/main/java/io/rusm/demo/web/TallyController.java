package io.rusm.demo.web;

import io.rusm.demo.tally.Added;
import io.rusm.demo.tally.TallyClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * HTTP edge of the keyed tally: every path key is its own process ({@code tally/<key>}), started by
 * its first request. Failures map like every other service's ({@link RusmErrors}).
 */
@RestController
@RequestMapping("/tallies")
class TallyController {
    private final TallyClient tallies;

    TallyController(TallyClient tallies) {
        this.tallies = tallies;
    }

    /** One round trip: the key's process answers the new total and the node it runs on. */
    @PostMapping("/{key}/add")
    TallyView add(@PathVariable String key, @RequestParam(defaultValue = "1") long n) {
        Added added = tallies.add(key, n);
        return new TallyView(key, added.total(), added.node());
    }

    @GetMapping("/{key}")
    TallyView get(@PathVariable String key) {
        long total = tallies.total(key);
        return new TallyView(key, total, tallies.where(key));
    }

    record TallyView(String key, long total, String node) {}
}
