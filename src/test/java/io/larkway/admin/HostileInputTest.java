package io.larkway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile requests, each answered with the contract's 4xx and its JSON error shape
 * ({@code {"error","message"}}), never a 5xx (PRODUCT.md §9).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest extends LarkwayTest {
    /** Invalid UTF-8 (a lone continuation byte and an overlong encoding) inside an otherwise plausible JSON object. */
    static final byte[] BAD_UTF8 = concat("{\"name\":\"".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0x80, (byte) 0xC0, (byte) 0xAF, (byte) 0xFF},
            "\"}".getBytes(StandardCharsets.UTF_8));
    static final String LONG_ID = "int_" + "x".repeat(300);

    /** What a hostile request needs: an organisation key and one webhook integration of its own. */
    record Victim(String key, String webhookId) {
    }

    /** One hostile request: method, path, key (or none), body, extra headers, expected status. */
    record Hostile(String method, Function<Victim, String> path, boolean withKey, Object body, Map<String, String> headers, int status) {
    }

    private Victim victim;

    private Victim victim() {
        if (victim == null) {
            String key = newOrg();
            victim = new Victim(key, newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText());
        }
        return victim;
    }

    static Map<String, Object> integration(String name, String appSecret) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "appId", "cli_hostile_" + System.nanoTime(), "appSecret", appSecret,
                "verificationToken", "vt", "connectionMode", "webhook"));
        return body;
    }

    static Stream<Arguments> hostile() {
        Map<String, String> none = Map.of();
        Map<String, String> gzip = Map.of("Content-Encoding", "gzip");
        Function<Victim, String> webhook = v -> "/api/lark/webhook/" + v.webhookId();
        return Stream.of(
                Arguments.of("invalid UTF-8 to the webhook", new Hostile("POST", webhook, false, BAD_UTF8, none, 400)),
                Arguments.of("invalid UTF-8 to an unknown webhook id", new Hostile("POST", v -> "/api/lark/webhook/int_nope", false, BAD_UTF8, none, 404)),
                Arguments.of("invalid UTF-8 to the admin API", new Hostile("POST", v -> "/api/integrations", true, BAD_UTF8, none, 400)),
                Arguments.of("invalid UTF-8 without a key", new Hostile("POST", v -> "/api/integrations", false, BAD_UTF8, none, 401)),
                Arguments.of("invalid UTF-8 to an unknown id", new Hostile("PUT", v -> "/api/integrations/int_nope", true, BAD_UTF8, none, 404)),
                Arguments.of("invalid UTF-8 to an org", new Hostile("POST", v -> "/api/orgs", false, BAD_UTF8, none, 401)),
                Arguments.of("gzip to the webhook", new Hostile("POST", webhook, false, "{\"x\":1}", gzip, 415)),
                Arguments.of("gzip to the admin API", new Hostile("POST", v -> "/api/integrations", true, "{\"x\":1}", gzip, 415)),
                Arguments.of("webhook id over the column", new Hostile("POST", v -> "/api/lark/webhook/" + LONG_ID, false, "{\"x\":1}", none, 404)),
                Arguments.of("integration id over the column", new Hostile("GET", v -> "/api/integrations/" + LONG_ID, true, null, none, 404)),
                Arguments.of("status of an id over the column", new Hostile("GET", v -> "/api/integrations/" + LONG_ID + "/status", true, null, none, 404)),
                Arguments.of("update of an id over the column", new Hostile("PUT", v -> "/api/integrations/" + LONG_ID, true, "{}", none, 404)),
                Arguments.of("trigger id over the column", new Hostile("GET", v -> "/api/triggers/" + LONG_ID, true, null, none, 404)),
                Arguments.of("expert id over the column", new Hostile("GET", v -> "/api/experts/" + LONG_ID, true, null, none, 404)),
                Arguments.of("session id over the column", new Hostile("DELETE", v -> "/api/sessions/" + LONG_ID, true, null, none, 404)),
                // (NUL in a path, %00, Tomcat itself refuses with 400 before any of ours runs)
                Arguments.of("NUL in a query parameter", new Hostile("GET", v -> "/api/sessions?integrationId=int_%00x", true, null, none, 400)),
                Arguments.of("a secret whose UTF-8 form exceeds the column",
                        new Hostile("POST", v -> "/api/integrations", true, integration("wide", "€".repeat(600)), none, 400)),
                Arguments.of("an expert API key whose UTF-8 form exceeds the column", new Hostile("POST", v -> "/api/experts", true,
                        Map.of("name", "wide", "type", "http", "url", "https://expert.example.com/answer", "apiKey", "€".repeat(500)), none, 400)),
                Arguments.of("NUL in an integration name",
                        new Hostile("POST", v -> "/api/integrations", true, integration("evil\u0000name", "secret"), none, 400)),
                Arguments.of("NUL in an organisation name", new Hostile("POST", v -> "/api/orgs", true, Map.of("name", "evil\u0000org"), none, 400)),
                Arguments.of("NUL in an App ID", new Hostile("POST", v -> "/api/integrations", true,
                        Map.of("name", "n", "appId", "cli\u0000x", "appSecret", "s", "connectionMode", "long_connection"), none, 400)),
                Arguments.of("NUL in a webhook event id", new Hostile("POST", webhook, false,
                        "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"e\\u0000\",\"event_type\":\"t\",\"token\":\"vt-%APP%\"},\"event\":{}}", none, 400)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void eachHostileRequestGetsTheContracts4xxWithAJsonError(String what, Hostile h) {
        Victim v = victim();
        String key = h.path().apply(v).equals("/api/orgs") ? ADMIN_KEY : v.key();
        Object body = h.body() instanceof String s ? s.replace("%APP%", appIdOf(v)).getBytes(StandardCharsets.UTF_8) : h.body();
        Answer a = call(h.method(), h.path().apply(v), h.withKey() ? key : null, body, h.headers());
        assertThat(a.status()).as(what + ": " + a.raw()).isEqualTo(h.status());
        JsonNode json = a.json();
        assertThat(json).as(what + ": " + a.raw()).isNotNull();
        assertThat(json.path("error").isTextual()).as(a.raw()).isTrue();
        assertThat(json.path("message").isTextual()).as(a.raw()).isTrue();
        // a hostile value is never echoed whole (ids here are 300 characters and more)
        assertThat(a.raw().length()).as(a.raw()).isLessThan(300);
    }

    private String appIdOf(Victim v) {
        return call("GET", "/api/integrations/" + v.webhookId(), v.key(), null).json().path("appId").asText();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
