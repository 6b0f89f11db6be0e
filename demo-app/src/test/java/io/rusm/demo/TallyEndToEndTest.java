package io.rusm.demo;

import io.rusm.Node;
import io.rusm.kv.KvStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The keyed tally end to end, over real HTTP: one process per key, each key's total in its own
 * {@code Kv}, a key that stopped when idle coming back with its total, and {@code /actuator/rusm}
 * showing the family as counts, never an entry per key.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "rusm.components.tally.idle-timeout=300ms") // keys stop within 375 ms of their last message
@DirtiesContext // key counts are part of what is asserted
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TallyEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int KEYS = 200;
    private static final int THREADS = 16;

    @TempDir
    static Path kvDir;

    @DynamicPropertySource
    static void kvPath(DynamicPropertyRegistry registry) {
        registry.add("rusm.kv.path", () -> kvDir.resolve("kv").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    Node node;

    @Autowired
    KvStore store;

    DemoHttp http;

    @BeforeEach
    void client() {
        http = new DemoHttp(port);
    }

    @AfterEach
    void closeClient() {
        http.close();
    }

    record Add(String key, long n) {}

    @Test
    void concurrentAddsOnTwoHundredKeysSumPerKeyAndEachKeyComesBackFromKvAfterItStopped() throws Exception {
        // 200 keys, 5 to 10 adds each of 1 to 7, shuffled across 16 virtual threads
        Map<String, AtomicLong> expected = new ConcurrentHashMap<>();
        List<Add> adds = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            String key = "k-" + k;
            expected.put(key, new AtomicLong());
            for (int j = 0; j < 5 + k % 6; j++) adds.add(new Add(key, j % 7 + 1));
        }
        Collections.shuffle(adds, new Random(42));
        Queue<Add> work = new ConcurrentLinkedQueue<>(adds);
        Map<String, Queue<Long>> answered = new ConcurrentHashMap<>();
        Map<String, Queue<String>> nodes = new ConcurrentHashMap<>();

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                running.add(threads.submit(() -> {
                    for (Add a; (a = work.poll()) != null; ) {
                        HttpResponse<String> r = http.post("/tallies/" + a.key() + "/add?n=" + a.n());
                        assertThat(r.statusCode()).as("add %s to %s: %s", a.n(), a.key(), r.body()).isEqualTo(200);
                        JsonNode body = DemoHttp.parse(r.body());
                        assertThat(body.path("key").asString()).isEqualTo(a.key());
                        expected.get(a.key()).addAndGet(a.n());
                        answered.computeIfAbsent(a.key(), k -> new ConcurrentLinkedQueue<>()).add(body.path("total").asLong());
                        nodes.computeIfAbsent(a.key(), k -> new ConcurrentLinkedQueue<>()).add(body.path("node").asString());
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) f.get(90, TimeUnit.SECONDS); // rethrows a failed assertion
        }
        assertThat(work).isEmpty();

        for (int k = 0; k < KEYS; k++) {
            String key = "k-" + k;
            long sum = expected.get(key).get();
            // One message at a time per key: every add saw a different total, the last one the sum.
            List<Long> totals = List.copyOf(answered.get(key));
            assertThat(totals).as(key).doesNotHaveDuplicates().hasSize(5 + k % 6);
            assertThat(Collections.max(totals)).as(key).isEqualTo(sum);
            assertThat(nodes.get(key)).as(key).containsOnly(node.name());
            assertThat(tally(key)).as(key).isEqualTo(sum);
            assertThat(store.forComponent("tally/" + key).get("total", Long.class)).as("Kv of %s", key).contains(sum);
        }
        JsonNode get = http.json("/tallies/k-7");
        assertThat(get.path("key").asString()).isEqualTo("k-7");
        assertThat(get.path("node").asString()).isEqualTo(node.name());

        // Every key stops once idle; nothing of it is left running.
        await("every tally key stopped when idle").atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> tallyFamily().path("keyed").path("liveKeys").asInt() == 0);
        JsonNode stopped = tallyFamily().path("keyed");
        assertThat(stopped.path("restarts").asLong()).isZero();
        assertThat(stopped.path("gaveUp").asLong()).isZero();
        assertThat(stopped.path("idleStops").asLong()).isEqualTo(stopped.path("activations").asLong())
                .isGreaterThanOrEqualTo(KEYS);
        assertThat(node.whereis("tally/k-0")).isEmpty();

        // Each key's next call starts a fresh instance, which reads its total back from Kv.
        for (int k = 0; k < KEYS; k++) assertThat(tally("k-" + k)).as("k-" + k).isEqualTo(expected.get("k-" + k).get());
        JsonNode again = tallyFamily().path("keyed");
        assertThat(again.path("activations").asLong()).isGreaterThanOrEqualTo(stopped.path("activations").asLong() + KEYS);
        HttpResponse<String> next = http.post("/tallies/k-0/add?n=10");
        assertThat(DemoHttp.parse(next.body()).path("total").asLong()).isEqualTo(expected.get("k-0").get() + 10);
    }

    @Test
    void theFamilyIsOneEntryWithCountsNeverAnEntryPerKey() {
        for (String key : List.of("alpha", "beta", "gamma")) assertThat(http.post("/tallies/" + key + "/add").statusCode()).isEqualTo(200);
        JsonNode tally = tallyFamily();
        assertThat(tally.path("state").asString()).isEqualTo("running");
        assertThat(tally.path("keyed").path("liveKeys").isNumber()).as("%s", tally).isTrue();
        assertThat(tally.path("keyed").path("activations").asLong()).isGreaterThanOrEqualTo(3);
        List<String> names = new ArrayList<>();
        collectNames(http.json("/actuator/rusm").path("root"), names);
        assertThat(names).contains("tally").noneMatch(n -> n.startsWith("tally/"));

        JsonNode health = http.json("/actuator/health/rusm/tally");
        assertThat(health.path("status").asString()).isEqualTo("UP");
        assertThat(health.path("details").path("keyed").path("activations").asLong()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anAddThatWouldOverflowIsA400AndTheTotalIsKept() {
        assertThat(http.post("/tallies/big/add?n=" + Long.MAX_VALUE).statusCode()).isEqualTo(200);
        HttpResponse<String> over = http.post("/tallies/big/add?n=1");
        assertThat(over.statusCode()).as(over.body()).isEqualTo(400);
        assertThat(DemoHttp.parse(over.body()).path("detail").asString()).contains("overflow");
        assertThat(tally("big")).isEqualTo(Long.MAX_VALUE);
        assertThat(tallyFamily().path("keyed").path("restarts").asLong()).as("the caller's mistake, not a crash").isZero();
    }

    @Test
    void aKeysTotalOutlivesARestartOfTheApplication() {
        Path kv = kvDir.resolve("restart");
        try (ConfigurableApplicationContext first = start(kv); DemoHttp a = new DemoHttp(port(first))) {
            assertThat(a.post("/tallies/survivor/add?n=5").statusCode()).isEqualTo(200);
            assertThat(DemoHttp.parse(a.post("/tallies/survivor/add?n=6").body()).path("total").asLong()).isEqualTo(11);
        }
        try (ConfigurableApplicationContext second = start(kv); DemoHttp b = new DemoHttp(port(second))) {
            assertThat(b.json("/tallies/survivor").path("total").asLong()).isEqualTo(11);
            assertThat(DemoHttp.parse(b.post("/tallies/survivor/add").body()).path("total").asLong()).isEqualTo(12);
        }
    }

    private static ConfigurableApplicationContext start(Path kv) {
        return new SpringApplicationBuilder(DemoApplication.class)
                .run("--server.port=0", "--rusm.kv.path=" + kv);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private long tally(String key) {
        JsonNode t = http.json("/tallies/" + key);
        assertThat(t.path("key").asString()).isEqualTo(key);
        return t.path("total").asLong();
    }

    private JsonNode tallyFamily() {
        return http.service("tally").orElseThrow(() -> new AssertionError("no 'tally' in /actuator/rusm"));
    }

    private static void collectNames(JsonNode node, List<String> names) {
        if (node.has("name")) names.add(node.path("name").asString());
        for (JsonNode child : node.path("children")) collectNames(child, names);
    }
}
