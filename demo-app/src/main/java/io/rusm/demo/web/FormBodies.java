package io.rusm.demo.web;

import org.springframework.util.MultiValueMap;

/** Reads the one field a form post must carry, or says how to send it. */
final class FormBodies {
    private FormBodies() {}

    static String field(MultiValueMap<String, String> form, String name, String example) {
        String value = form.getFirst(name);
        if (value == null) {
            throw new IllegalArgumentException("a form post needs a '" + name + "' field (" + example
                    + "), or send the " + name + " as the body with Content-Type: text/plain");
        }
        return value;
    }
}
