package io.rusm.test;

import io.rusm.test.app.TallyApp;
import io.rusm.test.app.TallyClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/** The other class of {@link TemporaryKvFirstTests}: other properties, another open context, another store. */
@SpringBootTest(classes = TallyApp.class, properties = "rusm.call-timeout=4s")
class TemporaryKvSecondTests {
    @Autowired
    TallyClient tally;

    @Autowired
    Environment environment;

    @Test
    void eachContextHasItsOwnTemporaryStore() {
        assertThat(tally.add(10)).as("a store of its own: nothing from the other context").isEqualTo(10);
        TemporaryKvFirstTests.assertTemporaryStore(environment);
    }
}
