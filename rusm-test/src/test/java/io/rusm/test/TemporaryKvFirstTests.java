package io.rusm.test;

import io.rusm.test.app.TallyApp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** One of two classes with different properties in one JVM ({@link TemporaryKvContexts}). */
@SpringBootTest(classes = TallyApp.class, properties = "rusm.call-timeout=3s")
class TemporaryKvFirstTests extends TemporaryKvContexts {

    @Test
    void eachContextHasItsOwnTemporaryStore() {
        assertThat(tally.add(2)).isEqualTo(2);
        assertThat(tally.add(3)).isEqualTo(5);
        assertTemporaryStore();
    }
}
