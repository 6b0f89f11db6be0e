package io.rusm.spring.actuate;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on one service's health JSON. */
final class RusmHealthAssert {
    private RusmHealthAssert() {}

    static JsonNode leaf(RunningApp.Response response, int httpStatus, String status, String state, long restarts, long incarnation) {
        assertThat(response.status()).as(response.body()).isEqualTo(httpStatus);
        JsonNode json = response.json();
        assertThat(json.path("status").asString()).isEqualTo(status);
        JsonNode details = json.path("details");
        assertThat(details.path("state").asString()).isEqualTo(state);
        assertThat(details.path("restarts").asLong()).isEqualTo(restarts);
        assertThat(details.path("incarnation").asLong()).isEqualTo(incarnation);
        assertThat(details.path("mailboxSize").isNumber()).isTrue();
        return details;
    }
}
