package io.rusm.test.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A user's application, as the README's "Testing your services" section assumes one. */
@SpringBootApplication
public class TallyApp {}
