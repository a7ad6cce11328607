package io.larkway.flow.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import io.larkway.emulator.WebhookSender.Delivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What an anonymous caller can do to a webhook URL: nothing expensive, nothing echoed, nothing that changes a tenant's Status. */
class WebhookHardeningTest extends LarkwayTest {
    static final String ENCRYPT_KEY = "hardening-encrypt-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    JdbcClient db;
    @Autowired
    Clock clock;

    record Hook(String url, WebhookSender sender, LarkEmulator.App app, String id, String key) {
    }

    Hook hook(String encryptKey) {
        LarkEmulator.App app = LARK.newApp();
        String key = newOrg();
        String id = newIntegration(key, app, "webhook", encryptKey).path("id").asText();
        return new Hook(url("/api/lark/webhook/" + id), new WebhookSender(app.appId(), "vt-" + app.appId(), encryptKey), app, id, key);
    }

    /** Posts with a 5 s timeout: a request that keeps the server busy fails here instead of hanging the build. */
    HttpResponse<String> post(String url, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void hostileTimestampsAreRefusedAtOnceNeverWithA500() throws Exception {
        Hook h = hook(null);
        Map<String, String> json = Map.of("Content-Type", "application/json");
        for (String ts : new String[] {"1e99999999", "1e999999999", "-1", "17000000000000000000000", "1700000000.5e99999", "0x10", " 1"}) {
            String v1 = "{\"uuid\":\"%s\",\"type\":\"event_callback\",\"ts\":\"%s\",\"token\":\"%s\",\"event\":{\"type\":\"message\"}}";
            // no token: refused before the ts is even looked at
            HttpResponse<String> anonymous = post(h.url(), v1.formatted(id(), ts, "guess").getBytes(StandardCharsets.UTF_8), json);
            assertThat(anonymous.statusCode()).as(ts).isEqualTo(401);
            // with the token: the ts is parsed as a bounded integer and refused
            HttpResponse<String> tokened = post(h.url(), v1.formatted(id(), ts, "vt-" + h.app().appId()).getBytes(StandardCharsets.UTF_8), json);
            assertThat(tokened.statusCode()).as(ts).isEqualTo(400);
            assertThat(tokened.body()).contains("\"error\":\"invalid_request\"").contains("ts");
            var v2 = h.sender().messageEnvelope(id(), "om_" + id(), "p2p", "oc", "ou", "hi", Instant.now(), null);
            ((com.fasterxml.jackson.databind.node.ObjectNode) v2.path("header")).put("create_time", ts);
            HttpResponse<String> created = post(h.url(), v2.toString().getBytes(StandardCharsets.UTF_8), json);
            assertThat(created.statusCode()).as(ts).isEqualTo(400);
            assertThat(created.body()).contains("create_time");
        }
        // a v1 ts of seconds with a fraction (as Lark sends it) still works
        String fine = "{\"uuid\":\"%s\",\"type\":\"event_callback\",\"ts\":\"%s\",\"token\":\"%s\",\"event\":{\"type\":\"message\"}}"
                .formatted(id(), clock.instant().getEpochSecond() + ".7171419", "vt-" + h.app().appId());
        assertThat(post(h.url(), fine.getBytes(StandardCharsets.UTF_8), json).statusCode()).isEqualTo(200);
    }

    @Test
    void noAnswerEchoesTheCallersHeaders() throws Exception {
        Hook h = hook(null);
        Map<String, String> hostile = Map.of("Authorization", "Bearer secret-of-the-caller", "Cookie", "session=secret-cookie",
                "X-Evil", "evil-value", "X-Lark-Request-Nonce", "nonce-value", "Content-Type", "application/json");
        Map<String, byte[]> deliveries = new java.util.LinkedHashMap<>();
        deliveries.put("challenge", h.sender().challenge("ch").body());
        deliveries.put("accepted event", h.sender().message(id(), "om_" + id(), "p2p", "oc", "ou", "hi", Instant.now()).body());
        deliveries.put("wrong token", new WebhookSender(h.app().appId(), "forged", null).challenge("ch").body());
        deliveries.put("not an envelope", "{\"x\":1}".getBytes(StandardCharsets.UTF_8));
        deliveries.put("not JSON", "nope".getBytes(StandardCharsets.UTF_8));
        int[] expected = {200, 200, 401, 401, 400};
        int n = 0;
        for (Map.Entry<String, byte[]> d : deliveries.entrySet()) {
            HttpResponse<String> r = post(h.url(), d.getValue(), hostile);
            assertThat(r.statusCode()).as(d.getKey()).isEqualTo(expected[n++]);
            assertOnlyItsOwnHeaders(d.getKey(), r);
        }
        assertOnlyItsOwnHeaders("unknown integration", post(url("/api/lark/webhook/int_nope"), "{}".getBytes(StandardCharsets.UTF_8), hostile));
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(h.url())).timeout(Duration.ofSeconds(5)).GET();
        hostile.forEach(get::header);
        HttpResponse<String> wrongMethod = HTTP.send(get.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().map().keySet()).as(wrongMethod.headers().map().toString())
                .noneMatch(name -> name.equalsIgnoreCase("authorization") || name.equalsIgnoreCase("cookie") || name.toLowerCase().startsWith("x-"));
        // the admin API: an answer, an error, and a call without a key
        Map<String, String> withKey = new HashMap<>(hostile);
        withKey.put("Authorization", "Bearer " + h.key());
        for (String[] call : new String[][] {{"GET", "/api/integrations/" + h.id(), "200"}, {"GET", "/api/integrations/int_nope", "404"},
                {"POST", "/api/integrations", "400"}}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(call[1]))).timeout(Duration.ofSeconds(5))
                    .method(call[0], call[0].equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
            withKey.forEach(request::header);
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(call[1]).isEqualTo(Integer.parseInt(call[2]));
            assertOnlyItsOwnHeaders(call[0] + " " + call[1], r);
        }
        HttpRequest.Builder anonymous = HttpRequest.newBuilder(URI.create(url("/api/integrations"))).timeout(Duration.ofSeconds(5)).GET();
        hostile.forEach(anonymous::header);
        HttpResponse<String> r = HTTP.send(anonymous.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertOnlyItsOwnHeaders("no key", r);
    }

    private static void assertOnlyItsOwnHeaders(String what, HttpResponse<String> r) {
        Map<String, List<String>> headers = r.headers().map();
        assertThat(headers.keySet()).as(what + " " + headers).noneMatch(name -> name.equalsIgnoreCase("authorization")
                || name.equalsIgnoreCase("cookie") || name.equalsIgnoreCase("set-cookie") || name.toLowerCase().startsWith("x-")
                || name.equalsIgnoreCase("content-encoding") || name.toLowerCase().startsWith("larkway") || name.toLowerCase().startsWith("integration"));
        assertThat(headers.toString()).as(what).doesNotContain("secret").doesNotContain("evil").doesNotContain("nonce-value");
        assertThat(r.headers().firstValue("Content-Type")).as(what).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    }

    @Test
    void unverifiedPostsAreCountedButNeverChangeTheStatus() throws Exception {
        Hook h = hook(null);
        Map<String, String> json = Map.of("Content-Type", "application/json");
        for (int i = 0; i < 10; i++) {
            assertThat(post(h.url(), "{\"x\":1}".getBytes(StandardCharsets.UTF_8), json).statusCode()).isBetween(400, 499);
        }
        JsonNode untouched = status(h);
        assertThat(untouched.path("status").asText()).isEqualTo("waiting_for_first_delivery");
        assertThat(untouched.path("lastError").isNull()).as(untouched.toString()).isTrue();
        assertThat(untouched.path("counters").path("unverified").asLong()).isEqualTo(10);

        assertThat(WebhookSender.post(h.url(), h.sender().message(id(), "om_" + id(), "p2p", "oc", "ou", "hi", Instant.now())).statusCode())
                .isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(WebhookSender.post(h.url(), new WebhookSender(h.app().appId(), "forged", null).challenge("x")).statusCode()).isEqualTo(401);
            assertThat(post(h.url(), "not json".getBytes(StandardCharsets.UTF_8), json).statusCode()).isEqualTo(400);
        }
        JsonNode receiving = status(h);
        assertThat(receiving.path("status").asText()).isEqualTo("receiving");
        assertThat(receiving.path("lastError").isNull()).as(receiving.toString()).isTrue();
        assertThat(receiving.path("counters").path("unverified").asLong()).isEqualTo(20);
        // twenty unverified posts, one recent error: at most one per integration per interval reaches the database
        List<String> stages = db.sql("SELECT stage FROM recent_errors WHERE integration_id = ?").param(h.id()).query(String.class).list();
        assertThat(stages).containsExactly(WebhookReceiver.UNVERIFIED_STAGE);

        // a delivery that proves the token but is refused (another app's event) is a real failure: Status shows it
        Delivery otherApp = new WebhookSender("cli_other_app", "vt-" + h.app().appId(), null)
                .message(id(), "om_" + id(), "p2p", "oc", "ou", "hi", Instant.now());
        assertThat(WebhookSender.post(h.url(), otherApp).statusCode()).isEqualTo(401);
        JsonNode failing = status(h);
        assertThat(failing.path("status").asText()).isEqualTo("failing");
        assertThat(failing.path("lastError").asText()).contains("another app");
    }

    @Test
    void signaturesOutsideTheWindowAreRefusedAsReplays() throws Exception {
        Hook h = hook(ENCRYPT_KEY);
        long window = props.ingress().signatureMaxAgeSeconds();
        Instant now = clock.instant();
        for (Instant signedAt : new Instant[] {now.minusSeconds(window + 60), now.plusSeconds(window + 60), Instant.EPOCH}) {
            String eventId = id();
            Delivery replay = h.sender().wrap(h.sender().messageEnvelope(eventId, "om_" + id(), "p2p", "oc", "ou", "hi", now, null).toString(),
                    true, signedAt);
            HttpResponse<String> r = WebhookSender.post(h.url(), replay);
            assertThat(r.statusCode()).as(signedAt.toString()).isEqualTo(401);
            assertThat(r.body()).contains("invalid_signature").contains("X-Lark-Request-Timestamp");
            assertThat(accepted(h.id(), eventId)).isZero();
        }
        Map<String, String> hostile = new HashMap<>(h.sender().message(id(), "om_" + id(), "p2p", "oc", "ou", "hi", now).headers());
        hostile.put("X-Lark-Request-Timestamp", "1e99999999");
        assertThat(WebhookSender.post(h.url(), new Delivery(hostile, h.sender().message(id(), "om_" + id(), "p2p", "oc", "ou", "hi", now).body()))
                .statusCode()).isEqualTo(401);
        // a replay proves nothing about the sender: the Status does not turn failing
        assertThat(status(h).path("status").asText()).isEqualTo("waiting_for_first_delivery");
        // within the window it is accepted
        String eventId = id();
        Delivery recent = h.sender().wrap(h.sender().messageEnvelope(eventId, "om_" + id(), "p2p", "oc", "ou", "hi", now, null).toString(),
                true, now.minusSeconds(window - 60));
        assertThat(WebhookSender.post(h.url(), recent).statusCode()).isEqualTo(200);
        assertThat(accepted(h.id(), eventId)).isOne();
    }

    @Test
    void aFutureCreateTimeCountsAsNow() {
        Hook h = hook(null);
        for (Instant future : new Instant[] {clock.instant().plus(Duration.ofDays(3650)), Instant.ofEpochMilli(Long.MAX_VALUE)}) {
            String eventId = id();
            assertThat(WebhookSender.post(h.url(), h.sender().message(eventId, "om_" + id(), "p2p", "oc", "ou", "hi", future)).statusCode())
                    .isEqualTo(200);
            OffsetDateTime stored = db.sql("SELECT create_time FROM inbound_events WHERE integration_id = ? AND event_id = ?")
                    .params(h.id(), eventId).query(OffsetDateTime.class).single();
            assertThat(stored.toInstant()).isBeforeOrEqualTo(clock.instant());
        }
    }

    private JsonNode status(Hook h) {
        return call("GET", "/api/integrations/" + h.id() + "/status", h.key(), null).json();
    }

    private int accepted(String integrationId, String eventId) {
        return db.sql("SELECT COUNT(*) FROM inbound_events WHERE integration_id = ? AND event_id = ?").params(integrationId, eventId)
                .query(Integer.class).single();
    }

    static String id() {
        return UUID.randomUUID().toString();
    }
}
