package io.larkway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import io.larkway.emulator.WebhookSender;
import io.larkway.flow.ingress.LastDeliveries;
import io.larkway.platform.Timestamps;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.management.MBeanServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The Status tab, its actions, JMX and the dev console, against the emulator. */
class StatusTest extends LarkwayTest {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);

    @Autowired
    JdbcClient db;
    @Autowired
    StatusCounters counters;
    @Autowired
    org.springframework.transaction.support.TransactionTemplate transaction;

    @Test
    void webhookStatusCountersRecentErrorsAndRefresh() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();
        JsonNode fresh = call("GET", "/api/integrations/" + id + "/status", key, null).json();
        assertThat(fresh.path("mode").asText()).isEqualTo("webhook");
        assertThat(fresh.path("status").asText()).isEqualTo("waiting_for_first_delivery");

        WebhookSender sender = new WebhookSender(app.appId(), "vt-" + app.appId(), null);
        String eventId = UUID.randomUUID().toString();
        WebhookSender.Delivery d = sender.message(eventId, "om_" + UUID.randomUUID(), "p2p", "oc_s", "ou_s", "hi", Instant.now());
        WebhookSender.post(url("/api/lark/webhook/" + id), d);
        WebhookSender.post(url("/api/lark/webhook/" + id), d);
        await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", "/api/integrations/" + id + "/status", key, null).json()
                .path("counters").path("dropped").path("no_published_trigger").asLong() == 1);
        JsonNode receiving = call("GET", "/api/integrations/" + id + "/status", key, null).json();
        assertThat(receiving.path("status").asText()).isEqualTo("receiving");
        assertThat(receiving.path("counters").path("received").asLong()).isEqualTo(2);
        assertThat(receiving.path("counters").path("duplicates").asLong()).isEqualTo(1);
        assertThat(receiving.path("lastDeliveryAt").asText()).isNotBlank();

        // anyone can post a forged challenge: counted, never a failing Status
        WebhookSender.post(url("/api/lark/webhook/" + id), new WebhookSender(app.appId(), "forged", null).challenge("x"));
        JsonNode forged = call("GET", "/api/integrations/" + id + "/status", key, null).json();
        assertThat(forged.path("status").asText()).isEqualTo("receiving");
        assertThat(forged.path("counters").path("unverified").asLong()).isEqualTo(1);
        // a delivery with the right token that is refused all the same is a real failure
        WebhookSender.post(url("/api/lark/webhook/" + id), new WebhookSender("cli_someone_else", "vt-" + app.appId(), null)
                .message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_s", "ou_s", "hi", Instant.now()));
        JsonNode failing = call("GET", "/api/integrations/" + id + "/status", key, null).json();
        assertThat(failing.path("status").asText()).isEqualTo("failing");
        assertThat(failing.path("recentErrors").get(0).path("stage").asText()).isEqualTo("ingress");
        assertThat(failing.path("recentErrors").get(0).path("message").asText()).contains("401");

        JsonNode refreshed = call("POST", "/api/integrations/" + id + "/refresh", key, null).json();
        assertThat(refreshed.path("bot").path("openId").asText()).isEqualTo(app.botOpenId());
        assertThat(refreshed.path("bot").path("name").asText()).isEqualTo(app.botName());
        assertThat(refreshed.path("bot").path("avatarUrl").asText()).startsWith("https://");
        assertThat(call("GET", "/api/integrations/" + id + "/status", newOrg(), null).status()).isEqualTo(404);
    }

    @Test
    void webhookDeliveriesAreCountedByLarkwaysMetersNotTimedAsHttpRequests(@Autowired MeterRegistry meters) {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();
        WebhookSender.post(url("/api/lark/webhook/" + id), new WebhookSender(app.appId(), "vt-" + app.appId(), null)
                .message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_m", "ou_m", "hi", Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("larkway.events.received").tag("integration", id).counter() != null);
        assertThat(call("GET", "/api/integrations/" + id, key, null).status()).isEqualTo(200);
        // the API's requests keep their http.server.requests timer; the webhook's (6 % of its CPU) have none
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.find("http.server.requests").timers().stream()
                .anyMatch(t -> String.valueOf(t.getId().getTag("uri")).startsWith("/api/integrations")));
        assertThat(meters.find("http.server.requests").timers()).noneMatch(t -> String.valueOf(t.getId().getTag("uri")).contains("webhook"));
    }

    @Test
    void aConnectedLongConnectionShowsItsBotWithoutATestOrRefresh() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "long_connection", null).path("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> "connected".equals(call("GET", "/api/integrations/" + id + "/status", key, null).text("status")));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.botName().equals(
                call("GET", "/api/integrations/" + id + "/status", key, null).json().path("bot").path("name").asText(null)));
        assertThat(call("GET", "/api/integrations/" + id + "/status", key, null).json().path("bot").path("openId").asText()).isEqualTo(app.botOpenId());
    }

    @Test
    void aWebhookShowsItsBotAfterItsFirstVerifiedDelivery() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();
        assertThat(call("GET", "/api/integrations/" + id + "/status", key, null).json().path("bot").path("name").isNull()).isTrue();
        // a direct message needs no bot identity to be dispatched: only the verified delivery asks for it
        WebhookSender sender = new WebhookSender(app.appId(), "vt-" + app.appId(), null);
        WebhookSender.post(url("/api/lark/webhook/" + id), sender.message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_b",
                "ou_b", "hi", Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> app.botName().equals(
                call("GET", "/api/integrations/" + id + "/status", key, null).json().path("bot").path("name").asText(null)));
    }

    @Test
    void aPassedTestFillsTheBot() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();
        assertThat(call("POST", "/api/integrations/" + id + "/test", key, null).json().path("ok").asBoolean()).isTrue();
        assertThat(call("GET", "/api/integrations/" + id + "/status", key, null).json().path("bot").path("name").asText(null)).isEqualTo(app.botName());
    }

    @Test
    void countersAreTheClustersTotalsAndOutliveARestart() throws Exception {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();
        WebhookSender sender = new WebhookSender(app.appId(), "vt-" + app.appId(), null);
        WebhookSender.post(url("/api/lark/webhook/" + id), sender.message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_c",
                "ou_c", "hi", Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> counters(key, id).path("dropped").path("no_published_trigger").asLong() == 1);

        // another instance on the same database counted three deliveries, one of them stale, and added them
        MeterRegistry otherMeters = new SimpleMeterRegistry();
        StatusCounters other = new StatusCounters(otherMeters, db, transaction, props, new LastDeliveries(db, transaction));
        try {
            otherMeters.counter("larkway.events.received", "integration", id).increment(3);
            otherMeters.counter("larkway.events.dropped", "integration", id, "reason", "stale").increment();
            other.flush();
            other.flush(); // adds nothing twice
        } finally {
            other.close();
        }
        JsonNode both = counters(key, id);
        assertThat(both.path("received").asLong()).isEqualTo(4);
        assertThat(both.path("dropped").path("stale").asLong()).isEqualTo(1);
        assertThat(both.path("dropped").path("no_published_trigger").asLong()).isEqualTo(1);

        // once this instance has added its own counts, an instance started afresh (its meters at zero) shows the same totals
        counters.flush();
        MeterRegistry restartedMeters = new SimpleMeterRegistry();
        StatusCounters restarted = new StatusCounters(restartedMeters, db, transaction, props, new LastDeliveries(db, transaction));
        try {
            assertThat(JSON.writeValueAsString(restarted.totals(id))).isEqualTo(counters(key, id).toString());
            // the counters go with their integration, and counts still held for it are dropped, not an error
            assertThat(call("DELETE", "/api/integrations/" + id, key, null).status()).isEqualTo(204);
            restartedMeters.counter("larkway.events.received", "integration", id).increment();
            restarted.flush();
            assertThat(db.sql("SELECT COUNT(*) FROM integration_counters WHERE integration_id = ?").param(id).query(Integer.class).single()).isZero();
        } finally {
            restarted.close();
        }
    }

    private JsonNode counters(String key, String id) {
        return call("GET", "/api/integrations/" + id + "/status", key, null).json().path("counters");
    }

    @Test
    void lastDeliveryIsTheClustersLatestAcceptAndOutlivesTheDedupeRetention() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();
        Instant before = clock.instant();
        WebhookSender.post(url("/api/lark/webhook/" + id), new WebhookSender(app.appId(), "vt-" + app.appId(), null)
                .message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_l", "ou_l", "hi", Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> counters(key, id).path("dropped").path("no_published_trigger").asLong() == 1);
        // shown at once, from this instance's memory, before any flush
        Instant acceptedAt = lastDeliveryAt(key, id);
        assertThat(acceptedAt).isBetween(before, clock.instant());

        // written by the flush; the dedupe retention's purge of the events does not make it forgotten
        counters.flush();
        assertThat(db.sql("DELETE FROM inbound_events WHERE integration_id = ?").param(id).update()).isEqualTo(1);
        assertThat(lastDeliveryAt(key, id)).isEqualTo(acceptedAt);
        LastDeliveries restarted = new LastDeliveries(db, transaction);
        assertThat(restarted.last(id)).isEqualTo(acceptedAt);

        // another instance's later accept shows once it has flushed; an earlier one never moves it back
        Instant later = acceptedAt.plusSeconds(30);
        LastDeliveries other = new LastDeliveries(db, transaction);
        other.accepted(id, later);
        other.flush();
        restarted.accepted(id, acceptedAt.minusSeconds(30));
        restarted.flush();
        assertThat(lastDeliveryAt(key, id)).isEqualTo(later);

        // the row goes with its integration, and an accept still noted for it is dropped, not an error
        assertThat(call("DELETE", "/api/integrations/" + id, key, null).status()).isEqualTo(204);
        other.accepted(id, later.plusSeconds(1));
        other.flush();
        assertThat(db.sql("SELECT COUNT(*) FROM integration_deliveries WHERE integration_id = ?").param(id).query(Integer.class).single()).isZero();
    }

    @Test
    void lastDeliveryIsKeptToTheMillisecondAndReadFromTheEventsOfAnIntegrationWithoutARow() {
        String key = newOrg();
        String id = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        // events accepted by instances of the version before V17 (a rolling upgrade): no row yet, read from the events
        Instant latest = clock.instant().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 3; i++) {
            Instant at = latest.minusSeconds(List.of(10, 0, 20).get(i));
            db.sql("INSERT INTO inbound_events (integration_id, event_id, message_id, dedupe_key, event_type, payload, accepted_at) "
                    + "VALUES (?, ?, ?, ?, 'im.message.receive_v1', '{}', ?)")
                    .params(id, "ev-" + i, "om-" + i, "m:om-" + i, Timestamps.of(at)).update();
        }
        assertThat(lastDeliveryAt(key, id)).isEqualTo(latest);

        // the clock's nanoseconds are not shown before a flush and cut after it: the time never moves back
        LastDeliveries deliveries = new LastDeliveries(db, transaction);
        Instant precise = latest.plusSeconds(1).plusNanos(123_456);
        deliveries.accepted(id, precise);
        assertThat(deliveries.last(id)).isEqualTo(precise.truncatedTo(ChronoUnit.MILLIS));
        deliveries.flush();
        assertThat(deliveries.last(id)).isEqualTo(precise.truncatedTo(ChronoUnit.MILLIS));
        assertThat(lastDeliveryAt(key, id)).isEqualTo(precise.truncatedTo(ChronoUnit.MILLIS));
    }

    private Instant lastDeliveryAt(String key, String id) {
        return Instant.parse(call("GET", "/api/integrations/" + id + "/status", key, null).json().path("lastDeliveryAt").asText());
    }

    @Test
    void longConnectionStatusAndTheIntegrationMBean() throws Exception {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "long_connection", null).path("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> "connected".equals(call("GET", "/api/integrations/" + id + "/status", key, null).text("status")));
        JsonNode status = call("GET", "/api/integrations/" + id + "/status", key, null).json();
        assertThat(status.path("instances").get(0).path("id").asText()).contains(":");
        assertThat(status.path("instances").get(0).path("connectedSince").asText()).isNotBlank();
        assertThat(status.path("lastConnectedAt").asText()).isNotBlank();

        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        var name = IntegrationMBeans.name(id);
        assertThat(jmx.getAttribute(name, "State")).isEqualTo("connected");
        jmx.invoke(name, "disconnect", null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> WS.open(app.appId()).isEmpty());
        assertThat(jmx.getAttribute(name, "State")).isEqualTo("idle");
        jmx.invoke(name, "reconnect", null, null);
        await().atMost(Duration.ofSeconds(15)).until(() -> "connected".equals(jmx.getAttribute(name, "State")));

        // the lark component's dev console lists the connection
        JsonNode console = call("GET", "/actuator/camel/lark-connections", null, null).json().path("lark-connections");
        assertThat(console.path("connections").findValuesAsText("integrationId")).contains(id);
        // Camel's own JMX tree is there too
        assertThat(jmx.queryNames(new javax.management.ObjectName("org.apache.camel:type=routes,*"), null)).isNotEmpty();

        call("DELETE", "/api/integrations/" + id, key, null);
        assertThat(jmx.isRegistered(name)).isFalse();
    }

    @Test
    void theDevConsoleShowsAnOpenWindow() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();
        String expert = call("POST", "/api/experts", key, Map.of("name", "echo", "type", "echo")).text("id");
        String trigger = call("POST", "/api/triggers", key, Map.of("integrationId", id, "expertId", expert, "aggregationWindowSeconds", 5)).text("id");
        call("POST", "/api/triggers/" + trigger + "/publish", key, null);
        WebhookSender sender = new WebhookSender(app.appId(), "vt-" + app.appId(), null);
        WebhookSender.post(url("/api/lark/webhook/" + id), sender.message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_w",
                "ou_window", "wait for it", Instant.now()));
        await().atMost(Duration.ofSeconds(5)).until(() -> call("GET", "/actuator/camel/lark", null, null).json().path("lark").path("windows")
                .findValuesAsText("scope").contains(id + "|ou_window|" + expert));
        JsonNode window = call("GET", "/actuator/camel/lark", null, null).json().path("lark").path("windows").get(0);
        assertThat(window.path("messages").asInt()).isEqualTo(1);
        assertThat(window.path("closesInMs").asLong()).isBetween(0L, 5000L);
        JsonNode session = call("GET", "/api/sessions?integrationId=" + id, key, null).json();
        // the session row appears once the window closes and the turn starts
        assertThat(session.path("items").size()).isLessThanOrEqualTo(1);
    }
}
