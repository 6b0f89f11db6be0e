package io.rusm.test;

import io.rusm.test.app.TallyApp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The other class of {@link TemporaryKvContexts}: other properties, another open context, another store. */
@SpringBootTest(classes = TallyApp.class, properties = "rusm.call-timeout=4s")
class TemporaryKvSecondTests extends TemporaryKvContexts {

    @Test
    void eachContextHasItsOwnTemporaryStore() {
        assertThat(tally.add(10)).as("a store of its own: nothing from the other context").isEqualTo(10);
        assertTemporaryStore();
    }
}
