package io.rusm.demo.cache;

import io.rusm.Every;
import io.rusm.ServiceDefinition;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The cache's {@code @Every} sweep drops entries nobody reads again. */
class CacheExpiryTest {

    @Test
    void theSweepDropsExpiredEntriesAndKeepsLiveOnes() throws Exception {
        Cache cache = new Cache();
        cache.put("short", "v", 1);
        cache.put("long", "v", Duration.ofHours(1).toMillis());
        await().atMost(Duration.ofSeconds(5)).until(() -> cache.expire() == 1); // once a millisecond has passed
        assertThat(cache.size()).isOne();
        assertThat(cache.get("long")).isEqualTo("v");
    }

    @Test
    void theSweepIsAnEveryMethodOfTheService() throws Exception {
        assertThat(Cache.class.getMethod("expire").getAnnotation(Every.class).value()).isEqualTo("10s");
        assertThat(ServiceDefinition.of(Cache.class).handlerTable().everyMethods()).containsExactly("expire=PT10S");
    }
}
