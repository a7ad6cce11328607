package io.larkway.flow.ingress;

import io.larkway.flow.FlowHeaders;
import io.larkway.flow.inbox.EventInbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import io.larkway.emulator.WebhookSender.Delivery;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The webhook route over real HTTP with deliveries built as Lark builds them. */
class WebhookIngressTest extends LarkwayTest {
    static final String ENCRYPT_KEY = "webhook-encrypt-key";

    @Autowired
    JdbcClient db;
    @Autowired
    CamelContext camel;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    record Hook(String url, WebhookSender sender, LarkEmulator.App app, String id) {
    }

    Hook hook(String encryptKey) {
        LarkEmulator.App app = LARK.newApp();
        JsonNode i = newIntegration(newOrg(), app, "webhook", encryptKey);
        String id = i.path("id").asText();
        return new Hook(url("/api/lark/webhook/" + id), new WebhookSender(app.appId(), "vt-" + app.appId(), encryptKey), app, id);
    }

    @Test
    void plainChallengeIsAnsweredOnlyWithTheRightToken() {
        Hook h = hook(null);
        HttpResponse<String> ok = WebhookSender.post(h.url(), h.sender().challenge("ch-1"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"challenge\":\"ch-1\"}");
        HttpResponse<String> bad = WebhookSender.post(h.url(), new WebhookSender(h.app().appId(), "wrong", null).challenge("ch-2"));
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.body()).contains("\"error\":\"invalid_token\"").doesNotContain("ch-2");
    }

    @Test
    void encryptedChallengeIsDecryptedAndAnswered() {
        Hook h = hook(ENCRYPT_KEY);
        HttpResponse<String> ok = WebhookSender.post(h.url(), h.sender().challenge("ch-enc"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"challenge\":\"ch-enc\"}");
    }

    @Test
    void eventWithWrongTokenIsRefused() {
        Hook h = hook(null);
        WebhookSender wrong = new WebhookSender(h.app().appId(), "not-the-token", null);
        HttpResponse<String> r = WebhookSender.post(h.url(), wrong.message(id(), id(), "p2p", "oc", "ou", "hi", Instant.now()));
        assertThat(r.statusCode()).isEqualTo(401);
    }

    @Test
    void signatureIsCheckedOverTheRawBytes() {
        Hook h = hook(ENCRYPT_KEY);
        String eventId = id();
        Delivery signed = h.sender().message(eventId, id(), "p2p", "oc", "ou", "hi", Instant.now());
        // the same JSON re-serialised (spaces added) keeps its meaning but not its bytes: the signature fails
        byte[] reserialised = signed.bodyText().replace(":", ": ").getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSender.post(h.url(), new Delivery(signed.headers(), reserialised)).statusCode()).isEqualTo(401);
        Map<String, String> badSig = new HashMap<>(signed.headers());
        badSig.put("X-Lark-Signature", "0".repeat(64));
        assertThat(WebhookSender.post(h.url(), new Delivery(badSig, signed.body())).statusCode()).isEqualTo(401);
        Map<String, String> noSig = new HashMap<>(signed.headers());
        noSig.remove("X-Lark-Signature");
        assertThat(WebhookSender.post(h.url(), new Delivery(noSig, signed.body())).statusCode()).isEqualTo(401);
        assertThat(accepted(h.id(), eventId)).isZero();
        // the untouched raw bytes pass
        assertThat(WebhookSender.post(h.url(), signed).statusCode()).isEqualTo(200);
        assertThat(accepted(h.id(), eventId)).isOne();
    }

    @Test
    void oversizedBodyIs413() {
        Hook h = hook(null);
        Delivery big = h.sender().wrap("{\"pad\":\"" + "x".repeat(1_100_000) + "\"}", false);
        HttpResponse<String> r = WebhookSender.post(h.url(), big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("payload_too_large");
    }

    @Test
    void oversizedChunkedBodyWithoutALengthIs413AndSmallChunkedBodiesStillWork() throws Exception {
        Hook h = hook(null);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        // a publisher of unknown length makes the JDK client send chunked, without Content-Length
        java.util.function.Function<byte[], java.net.http.HttpRequest> chunked = bytes -> java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.url()))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))).build();
        var big = http.send(chunked.apply(("{\"pad\":\"" + "x".repeat(1_100_000) + "\"}").getBytes()), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);
        var challenge = http.send(chunked.apply(h.sender().challenge("chunked").body()), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(challenge.statusCode()).isEqualTo(200);
        assertThat(challenge.body()).isEqualTo("{\"challenge\":\"chunked\"}");
    }

    @Test
    void unknownDisabledAndLongConnectionIntegrations() {
        Hook h = hook(null);
        Delivery d = h.sender().challenge("x");
        assertThat(WebhookSender.post(url("/api/lark/webhook/int_nope"), d).statusCode()).isEqualTo(404);
        String key = newOrg();
        JsonNode lc = newIntegration(key, LARK.newApp(), "long_connection", null);
        HttpResponse<String> wrongMode = WebhookSender.post(url("/api/lark/webhook/" + lc.path("id").asText()), d);
        assertThat(wrongMode.statusCode()).isEqualTo(400);
        assertThat(wrongMode.body()).contains("long connection");
        JsonNode off = newIntegration(key, LARK.newApp(), "webhook", null);
        call("PUT", "/api/integrations/" + off.path("id").asText(), key, Map.of("enabled", false));
        assertThat(WebhookSender.post(url("/api/lark/webhook/" + off.path("id").asText()), d).statusCode()).isEqualTo(404);
    }

    static Stream<String> garbage() {
        return Stream.of("", " ", "null", "[]", "[1,2]", "\"text\"", "42", "true", "{", "}", "{\"a\":", "not json at all", "<xml/>",
                "{\"encrypt\":\"\"}", "{\"encrypt\":\"!!!notbase64\"}", "{\"encrypt\":\"AAAA\"}", "{\"encrypt\":12}", "{\"encrypt\":null}",
                "{\"schema\":\"2.0\"}", "{\"schema\":\"2.0\",\"header\":{}}", "{\"schema\":\"2.0\",\"header\":{\"event_id\":\"e\",\"create_time\":\"soon\"}}",
                "{\"type\":\"event_callback\",\"uuid\":\"u\",\"ts\":\"x\"}", "{\"type\":\"url_verification\"}", "{\"header\":[]}",
                "\u0000\u0001\u0002", "{\"a\":1}{\"b\":2}", "{\"challenge\":{\"x\":1},\"type\":\"url_verification\"}");
    }

    @ParameterizedTest
    @MethodSource("garbage")
    void malformedInputIsA4xxNeverA5xx(String body) {
        for (String key : new String[] {null, ENCRYPT_KEY}) {
            Hook h = plainAndEncrypted(key);
            HttpResponse<String> r = WebhookSender.post(h.url(), new Delivery(Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8)));
            assertThat(r.statusCode()).as("%s with key %s", body, key).isBetween(400, 499);
            assertThat(r.body()).contains("\"message\"");
        }
    }

    private static final Map<String, Hook> HOOKS = new java.util.concurrent.ConcurrentHashMap<>();

    private Hook plainAndEncrypted(String key) {
        return HOOKS.computeIfAbsent(String.valueOf(key), k -> hook(key));
    }

    @Test
    void theSameEventDeliveredFiveTimesIsProcessedOnce() {
        Hook h = hook(ENCRYPT_KEY);
        String eventId = id();
        String messageId = id();
        NotifyBuilder processed = new NotifyBuilder(camel).fromRoute("inbox").filter(e -> eventId.equals(e.getMessage().getHeader(FlowHeaders.EVENT_ID)))
                .whenExactlyDone(1).create();
        for (int n = 0; n < 5; n++) {
            // each redelivery is freshly encrypted and signed, as Lark does
            Delivery d = h.sender().message(eventId, messageId, "p2p", "oc", "ou", "hi", Instant.now());
            assertThat(WebhookSender.post(h.url(), d).statusCode()).isEqualTo(200);
        }
        // a different event id carrying the same message id is also a duplicate
        assertThat(WebhookSender.post(h.url(), h.sender().message(id(), messageId, "p2p", "oc", "ou", "hi", Instant.now())).statusCode()).isEqualTo(200);
        assertThat(processed.matches(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        inboxLeasesRunOut(); // processed once, also once its lease has run out
        assertThat(processed.matches()).isTrue();
        assertThat(accepted(h.id(), eventId)).isOne();
        assertThat(db.sql("SELECT COUNT(*) FROM inbound_events WHERE integration_id = ?").param(h.id()).query(Integer.class).single()).isOne();
        await().atMost(Duration.ofSeconds(5)).until(() -> "done".equals(state(h.id(), eventId)));
    }

    @Test
    void aCallersCamelAndFlowHeadersSteerNothing() {
        // the webhook route has no removeHeaders step first: platform-http's own filter keeps a caller's Camel* headers out
        var strategy = ((org.apache.camel.spi.HeaderFilterStrategyAware) camel.getRoute("ingress-webhook").getEndpoint()).getHeaderFilterStrategy();
        var probe = new org.apache.camel.support.DefaultExchange(camel);
        for (String name : List.of("CamelHttpResponseCode", "CamelHttpUri", "camelHttpPath", "CAMELLARKINTEGRATIONID")) {
            assertThat(strategy.applyFilterToExternalHeaders(name, "x", probe)).as("%s kept out", name).isTrue();
        }
        Hook h = hook(ENCRYPT_KEY);
        String eventId = id();
        Delivery d = h.sender().message(eventId, "om_" + id(), "p2p", "oc", "ou", "hi", Instant.now());
        Map<String, String> headers = new java.util.LinkedHashMap<>(d.headers());
        headers.put("CamelHttpResponseCode", "302");
        headers.put("CamelHttpUri", "http://127.0.0.1:9/elsewhere");
        headers.put("larkwayOutcome", "duplicate");
        headers.put("larkwayInboxTaken", "false");
        headers.put("larkwayIntegrationId", "int_forged");
        var response = WebhookSender.post(h.url(), new Delivery(headers, d.body()));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{}");
        assertThat(response.headers().map().keySet()).noneMatch(k -> k.toLowerCase().startsWith("camel") || k.toLowerCase().startsWith("larkway"));
        await().atMost(Duration.ofSeconds(5)).until(() -> "done".equals(state(h.id(), eventId)));
        assertThat(accepted(h.id(), eventId)).isOne();
    }

    @Test
    void otherEventTypesAreAcceptedAndDoneNotResumedAgainAndAgain() {
        Hook h = hook(null);
        String eventId = id();
        var envelope = h.sender().messageEnvelope(eventId, "om_" + id(), "group", "oc", "ou", "x", Instant.now(), null);
        ((com.fasterxml.jackson.databind.node.ObjectNode) envelope.path("header")).put("event_type", "im.chat.member.bot.added_v1");
        ((com.fasterxml.jackson.databind.node.ObjectNode) envelope).putObject("event").put("chat_id", "oc_new");
        assertThat(WebhookSender.post(h.url(), h.sender().wrap(envelope.toString(), false)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> "done".equals(state(h.id(), eventId)));
        // past the 2 s test lease, sweeps gone by: still done, never resumed
        inboxLeasesRunOut();
        assertThat(state(h.id(), eventId)).isEqualTo("done");
        assertThat(meters.counter("larkway.events.dropped", "integration", h.id(), "reason", "no_published_trigger").count()).as("dispatched once")
                .isEqualTo(1);
    }

    @Test
    void staleEventsAreAcknowledgedAndDropped() {
        Hook h = hook(null);
        String eventId = id();
        Delivery old = h.sender().message(eventId, id(), "p2p", "oc", "ou", "hi", Instant.now().minus(Duration.ofHours(2)));
        assertThat(WebhookSender.post(h.url(), old).statusCode()).isEqualTo(200);
        assertThat(accepted(h.id(), eventId)).isZero();
    }

    private int accepted(String integrationId, String eventId) {
        return db.sql("SELECT COUNT(*) FROM inbound_events WHERE integration_id = ? AND event_id = ?").params(integrationId, eventId)
                .query(Integer.class).single();
    }

    private String state(String integrationId, String eventId) {
        List<String> s = db.sql("SELECT " + io.larkway.flow.inbox.InboxRows.STATE + " FROM inbound_events e WHERE e.integration_id = ? "
                + "AND e.event_id = ?").params(integrationId, eventId).query(String.class).list();
        return s.isEmpty() ? null : s.get(0);
    }

    static String id() {
        return UUID.randomUUID().toString();
    }
}
