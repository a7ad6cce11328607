package io.larkway.camel.lark.ws;

import io.larkway.camel.lark.LarkEndpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import io.larkway.emulator.LarkWebSocketServer.Ack;
import io.larkway.emulator.LarkWebSocketServer.HandshakeFailure;
import io.larkway.emulator.LarkWebSocketServer.Ping;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.larkway.camel.lark.LarkComponentVerifierExtension;
import org.apache.camel.CamelContext;
import org.apache.camel.component.extension.ComponentVerifierExtension;
import org.apache.camel.component.extension.ComponentVerifierExtension.Result;
import org.apache.camel.component.extension.ComponentVerifierExtension.Scope;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The whole service against the emulator's long-connection side: lark:events → inbox → ack. */
class LongConnectionTest extends LarkwayTest {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);
    static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    JdbcClient db;

    @Autowired
    CamelContext camel;

    record Setup(String key, LarkEmulator.App app, String id) {
        String appId() { return app.appId(); }
    }

    /** A new org and long-connection integration of a new app; waits until it is connected. */
    Setup connected() {
        // lets handedOff() see an event the inbox route is working on
        camel.getInflightRepository().setInflightBrowseEnabled(true);
        return connected(LARK.newApp(), true);
    }

    Setup connected(LarkEmulator.App app, boolean waitConnected) {
        String key = newOrg();
        JsonNode integration = newIntegration(key, app, "long_connection", null);
        Setup s = new Setup(key, app, integration.path("id").asText());
        if (waitConnected) {
            await().atMost(WAIT).until(() -> WS.open(app.appId()).size() == 1 && "connected".equals(status(s).text("status")));
        }
        return s;
    }

    Answer status(Setup s) {
        return call("GET", "/api/integrations/" + s.id() + "/status", s.key(), null);
    }

    List<Map<String, Object>> rows(String integrationId) {
        return db.sql("SELECT e.event_id, e.message_id, " + io.larkway.flow.inbox.InboxRows.STATE + " AS state, e.accepted_at, e.payload "
                + "FROM inbound_events e WHERE e.integration_id = ? ORDER BY e.id")
                .param(integrationId).query().listOfRows();
    }

    /**
     * True when the event went through seda:inbound. The next stage (direct:dispatch) is not in this
     * branch, so the inbox route waits on it; the event is then queued or in flight there.
     */
    boolean handedOff(String eventId, String integrationId) {
        SedaEndpoint seda = camel.getEndpoints().stream().filter(e -> e instanceof SedaEndpoint se && "inbound".equals(se.getEndpointBaseUri()
                .replaceFirst("^seda://", ""))).map(SedaEndpoint.class::cast).findFirst().orElseThrow();
        boolean queued = seda.getExchanges().stream().anyMatch(e -> eventId.equals(e.getMessage().getHeader("larkwayEventId")));
        boolean inFlight = camel.getInflightRepository().browse("inbox").stream()
                .anyMatch(i -> eventId.equals(i.getExchange().getMessage().getHeader("larkwayEventId")));
        boolean done = rows(integrationId).stream().anyMatch(r -> eventId.equals(r.get("event_id")) && "done".equals(r.get("state")));
        return queued || inFlight || done;
    }

    static String uid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void eventArrivesThroughLarkEventsAndIsAckedAfterDurableAccept() {
        Setup s = connected();
        String eventId = "ev_" + uid();
        String frameId = WS.push(s.appId(), LarkWebSocketServer.messageEvent(s.appId(), eventId, "om_" + uid(), "hello"));

        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 1);
        Ack ack = WS.acks(s.appId()).get(0);
        assertThat(ack.messageId()).isEqualTo(frameId);
        assertThat(ack.code()).isEqualTo(200);
        assertThat(Long.parseLong(ack.bizRt())).isGreaterThanOrEqualTo(0);
        // the ack echoes the data frame: same SeqID, LogID and headers, plus biz_rt
        var sent = WS.pushed(frameId).frames().get(0);
        assertThat(ack.frame().getSeqID()).isEqualTo(sent.getSeqID());
        assertThat(ack.frame().getLogID()).isEqualTo(sent.getLogID());
        assertThat(ack.frame().getHeadersCount()).isEqualTo(sent.getHeadersCount() + 1);

        List<Map<String, Object>> rows = rows(s.id());
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("event_id")).isEqualTo(eventId);
        Instant acceptedAt = ((OffsetDateTime) db.sql("SELECT accepted_at FROM inbound_events WHERE event_id = ?").param(eventId)
                .query(OffsetDateTime.class).single()).toInstant();
        assertThat(acceptedAt).isBeforeOrEqualTo(ack.at());
        // handed on through seda:inbound: queued, in the inbox route, or already done
        await().atMost(WAIT).until(() -> handedOff(eventId, s.id()));

        JsonNode status = status(s).json();
        assertThat(status.path("mode").asText()).isEqualTo("long_connection");
        assertThat(status.path("instances").get(0).path("state").asText()).isEqualTo("connected");
        assertThat(status.path("instances").get(0).path("connectedSince").isNull()).isFalse();
        assertThat(status.path("instances").get(0).path("acked").asLong()).isEqualTo(1);
        assertThat(status.path("lastConnectedAt").isNull()).isFalse();
    }

    @Test
    void failedAcceptanceIsAcked500AndStaleEventsAreAckedAndDropped() {
        Setup s = connected();
        // an event_id longer than its column is refused as unreadable: acked 500
        String failing = WS.push(s.appId(), LarkWebSocketServer.messageEvent(s.appId(), "ev_" + "x".repeat(300), "om_" + uid(), "boom"));
        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 1);
        assertThat(WS.acks(s.appId()).get(0).code()).isEqualTo(500);
        assertThat(WS.unacked(failing)).isTrue();

        String stale = WS.push(s.appId(), LarkWebSocketServer.messageEvent(s.appId(), "ev_" + uid(), "om_" + uid(), "old",
                Instant.now().minus(Duration.ofHours(2))));
        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 2);
        assertThat(WS.acks(s.appId()).get(1).code()).isEqualTo(200);
        assertThat(WS.unacked(stale)).isFalse();
        assertThat(rows(s.id())).isEmpty();
    }

    @Test
    void splitEventIsReassembledInSeqOrder() {
        Setup s = connected();
        String text = "long ".repeat(2000) + "end";
        String messageId = "om_" + uid();
        String frameId = WS.pushSplit(s.appId(), LarkWebSocketServer.messageEvent(s.appId(), "ev_" + uid(), messageId, text), 4, true);

        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 1);
        assertThat(WS.acks(s.appId()).get(0).messageId()).isEqualTo(frameId);
        assertThat(WS.acks(s.appId()).get(0).code()).isEqualTo(200);
        List<Map<String, Object>> rows = rows(s.id());
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("message_id")).isEqualTo(messageId);
        assertThat((String) rows.get(0).get("payload")).contains("end");
    }

    @Test
    void firstPingRightAfterConnectThenTheCadenceOfThePongsClientConfig() {
        LarkEmulator.App app = LARK.newApp();
        WS.pongConfig(app.appId(), LarkWebSocketServer.config(-1, 1, 0, 1));
        Setup s = connected(app, true);

        await().atMost(WAIT).until(() -> WS.pings(s.appId()).size() >= 5);
        List<Ping> pings = WS.pings(s.appId());
        long connectedAt = WS.open(s.appId()).get(0).connectedAtNanos();
        assertThat(Duration.ofNanos(pings.get(0).atNanos() - connectedAt)).isLessThan(Duration.ofMillis(500));
        assertThat(pings.get(0).service()).isEqualTo(WS.open(s.appId()).get(0).serviceId());
        // the fixture's endpoint said 30 s; the first pong said 1 s: later pings follow the pong
        for (int i = 2; i < pings.size(); i++) {
            Duration gap = Duration.ofNanos(pings.get(i).atNanos() - pings.get(i - 1).atNanos());
            assertThat(gap).isBetween(Duration.ofMillis(700), Duration.ofMillis(2500));
        }
        assertThat(status(s).json().path("instances").get(0).path("pingIntervalSeconds").asInt()).isEqualTo(1);
    }

    @Test
    void droppedSocketReconnectsPerTheServersPolicy() {
        LarkEmulator.App app = LARK.newApp();
        WS.clientConfig(app.appId(), -1, 1, 1, 30);
        Setup s = connected(app, true);
        int callsBefore = WS.endpointCalls(s.appId()).size();
        WS.failEndpoint(s.appId(), 1, 2); // "system busy" twice: retryable

        WS.disconnect(s.appId());
        await().atMost(WAIT).until(() -> WS.handshakes(s.appId()) == 2 && WS.open(s.appId()).size() == 1
                && "connected".equals(status(s).text("status")));

        List<Long> calls = WS.endpointCalls(s.appId()).subList(callsBefore, WS.endpointCalls(s.appId()).size());
        assertThat(calls).hasSize(3);
        // after the random 0..ReconnectNonce start, attempts follow ReconnectInterval (1 s)
        assertThat(Duration.ofNanos(calls.get(1) - calls.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(Duration.ofNanos(calls.get(2) - calls.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        JsonNode status = status(s).json();
        assertThat(status.path("lastError").asText()).contains("system busy");
        assertThat(status.path("instances").get(0).path("failureCount").asInt()).isZero();

        // and it still receives
        WS.push(s.appId(), LarkWebSocketServer.messageEvent(s.appId(), "ev_" + uid(), "om_" + uid(), "after"));
        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 1 && WS.acks(s.appId()).get(0).code() == 200);
    }

    @Test
    void fatalHandshakeMakesItUnhealthyWithoutRetryingUntilReconnect() {
        LarkEmulator.App app = LARK.newApp();
        WS.clientConfig(app.appId(), -1, 1, 0, 30);
        WS.failHandshake(app.appId(), new HandshakeFailure(400, "514", "connection limit exceeded", "1000040350"));
        Setup s = connected(app, false);

        await().atMost(WAIT).until(() -> "unhealthy".equals(status(s).text("status")));
        assertThat(status(s).text("lastError")).contains("connection limit").contains("connection limit exceeded");
        // no retry storm: with a 1 s ReconnectInterval, three quiet seconds mean it stopped
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> WS.rejectedHandshakes(s.appId()) == 1);

        // the Test button reports the same, without a live connection to disturb
        JsonNode probe = call("POST", "/api/integrations/" + s.id() + "/test", s.key(), null).json().path("probe");
        assertThat(probe.path("connected").asBoolean()).isFalse();
        assertThat(probe.path("state").asText()).isEqualTo("unhealthy");
        assertThat(probe.path("lastError").asText()).contains("connection limit");

        WS.clearHandshakeFailure(s.appId());
        Answer reconnect = call("POST", "/api/integrations/" + s.id() + "/reconnect", s.key(), null);
        assertThat(reconnect.status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> "connected".equals(status(s).text("status")) && WS.open(s.appId()).size() == 1);
    }

    @Test
    void forbiddenHandshakeIsFatalAndAnUpdateWithNewCredentialsRetries() {
        LarkEmulator.App app = LARK.newApp();
        WS.failHandshake(app.appId(), new HandshakeFailure(403, "403", "app forbidden", null));
        Setup s = connected(app, false);
        await().atMost(WAIT).until(() -> "unhealthy".equals(status(s).text("status")));
        assertThat(status(s).text("lastError")).contains("forbidden");

        WS.clearHandshakeFailure(s.appId());
        Answer put = call("PUT", "/api/integrations/" + s.id(), s.key(), Map.of("appSecret", app.appSecret()));
        assertThat(put.status()).isEqualTo(200);
        // same secret: nothing connection-relevant changed, yet an unhealthy connection is retried on update
        await().atMost(WAIT).until(() -> "connected".equals(status(s).text("status")));
    }

    @Test
    void probeCompletesAHandshakeWithoutDisturbingTheLiveConnection() {
        Setup s = connected();
        String device = WS.open(s.appId()).get(0).deviceId();
        JsonNode answer = call("POST", "/api/integrations/" + s.id() + "/test", s.key(), null).json();
        assertThat(answer.path("ok").asBoolean()).isTrue();
        assertThat(answer.path("probe").path("connected").asBoolean()).isTrue();
        assertThat(answer.path("probe").path("state").asText()).isEqualTo("connected");
        assertThat(answer.path("probe").path("lastError").isNull()).isTrue();
        // the emulator counts a handshake once its side of the upgrade completes, which may be just after the probe's answer
        await().atMost(WAIT).until(() -> WS.handshakes(s.appId()) == 2 && WS.open(s.appId()).size() == 1);
        assertThat(WS.open(s.appId()).get(0).deviceId()).isEqualTo(device);
    }

    @Test
    void theComponentsVerifierProbesAHandshakeByIntegrationIdOrByCredentials() {
        ComponentVerifierExtension verifier = camel.getComponent("lark").getExtension(ComponentVerifierExtension.class).orElseThrow();
        LarkEmulator.App refused = LARK.newApp();
        WS.failHandshake(refused.appId(), new HandshakeFailure(403, "403", "app forbidden", null));
        try {
            Setup sick = connected(refused, false);
            Result down = verifier.verify(Scope.CONNECTIVITY, Map.of(LarkComponentVerifierExtension.INTEGRATION_ID, sick.id()));
            assertThat(down.getStatus()).isEqualTo(Result.Status.ERROR);
            assertThat(down.getErrors().get(0).getDescription()).contains("forbidden").doesNotContain(refused.appSecret());
        } finally {
            WS.clearHandshakeFailure(refused.appId());
        }
        Setup fine = connected();
        int handshakes = WS.handshakes(fine.appId());
        assertThat(verifier.verify(Scope.CONNECTIVITY, Map.of(LarkComponentVerifierExtension.INTEGRATION_ID, fine.id())).getStatus())
                .isEqualTo(Result.Status.OK);
        // the emulator counts a handshake on its own event loop, possibly after the verifier has its answer
        await().atMost(WAIT).until(() -> WS.handshakes(fine.appId()) == handshakes + 1);
        // an app not saved yet: by its credentials
        LarkEmulator.App unsaved = LARK.newApp();
        Result byCredentials = verifier.verify(Scope.CONNECTIVITY, Map.of(LarkComponentVerifierExtension.APP_ID, unsaved.appId(),
                LarkComponentVerifierExtension.APP_SECRET, unsaved.appSecret(), LarkComponentVerifierExtension.BASE_URL, LARK.baseUrl()));
        assertThat(byCredentials.getStatus()).isEqualTo(Result.Status.OK);
        // unknown integration, missing options: errors, not exceptions
        assertThat(verifier.verify(Scope.CONNECTIVITY, Map.of(LarkComponentVerifierExtension.INTEGRATION_ID, "nope")).getErrors().get(0)
                .getDescription()).isEqualTo("no such integration");
        assertThat(verifier.verify(Scope.PARAMETERS, Map.of(LarkComponentVerifierExtension.APP_ID, "cli_x")).getErrors())
                .hasSize(2).allMatch(e -> e.getCode() == ComponentVerifierExtension.VerificationError.StandardCode.MISSING_PARAMETER);
    }

    @Test
    void silentServerIsDetectedByThePongWatchdogAndReconnected() {
        LarkEmulator.App app = LARK.newApp();
        WS.clientConfig(app.appId(), -1, 1, 0, 1);
        Setup s = connected(app, true);
        String device = WS.open(s.appId()).get(0).deviceId();

        WS.silence(s.appId());
        await().atMost(WAIT).until(() -> WS.handshakes(s.appId()) == 2 && WS.open(s.appId()).size() == 1
                && !WS.open(s.appId()).get(0).deviceId().equals(device));
        await().atMost(WAIT).until(() -> "connected".equals(status(s).text("status")));
        assertThat(status(s).text("lastError")).contains("pong watchdog");
    }

    @Test
    void redeliveredEventIsProcessedOnce() {
        Setup s = connected();
        String eventId = "ev_" + uid();
        String frameId = WS.push(s.appId(), LarkWebSocketServer.messageEvent(s.appId(), eventId, "om_" + uid(), "once"));
        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 1);

        WS.redeliver(frameId);
        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 2);
        assertThat(WS.acks(s.appId())).extracting(Ack::code).containsExactly(200, 200);
        assertThat(rows(s.id())).hasSize(1);
    }

    @Test
    void switchingToWebhookDisablingAndDeletingCloseTheSocket() {
        Setup s = connected();
        Answer put = call("PUT", "/api/integrations/" + s.id(), s.key(), Map.of("connectionMode", "webhook"));
        assertThat(put.status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> WS.open(s.appId()).isEmpty());
        assertThat(status(s).text("mode")).isEqualTo("webhook");
        assertThat(status(s).text("status")).isEqualTo("waiting_for_first_delivery");

        call("PUT", "/api/integrations/" + s.id(), s.key(), Map.of("connectionMode", "long_connection"));
        await().atMost(WAIT).until(() -> WS.open(s.appId()).size() == 1 && "connected".equals(status(s).text("status")));

        call("PUT", "/api/integrations/" + s.id(), s.key(), Map.of("enabled", false));
        await().atMost(WAIT).until(() -> WS.open(s.appId()).isEmpty());
        assertThat(status(s).text("status")).isEqualTo("disabled");

        call("PUT", "/api/integrations/" + s.id(), s.key(), Map.of("enabled", true));
        await().atMost(WAIT).until(() -> WS.open(s.appId()).size() == 1);
        assertThat(call("DELETE", "/api/integrations/" + s.id(), s.key(), null).status()).isEqualTo(204);
        await().atMost(WAIT).until(() -> WS.open(s.appId()).isEmpty());
    }

    @Test
    void disconnectAndReconnectOnDemandAndOrgScoping() {
        Setup s = connected();
        Answer d = call("POST", "/api/integrations/" + s.id() + "/disconnect", s.key(), null);
        assertThat(d.status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> WS.open(s.appId()).isEmpty() && "idle".equals(status(s).text("status")));

        assertThat(call("POST", "/api/integrations/" + s.id() + "/reconnect", s.key(), null).status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> WS.open(s.appId()).size() == 1 && "connected".equals(status(s).text("status")));

        String other = newOrg();
        assertThat(call("GET", "/api/integrations/" + s.id() + "/status", other, null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/integrations/" + s.id() + "/reconnect", other, null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/integrations/" + s.id() + "/disconnect", other, null).status()).isEqualTo(404);
        assertThat(WS.open(s.appId())).hasSize(1);
    }

    @Test
    void malformedFramesAreLoggedNotFatal() {
        Setup s = connected();
        WS.sendRaw(s.appId(), new byte[] {(byte) 0x42, (byte) 0xff, 0x01});
        // a data frame without message_id/sum/seq/trace_id
        WS.sendRaw(s.appId(), com.lark.oapi.ws.pb.Pbbp2.Frame.newBuilder().setSeqID(1).setLogID(1).setService(1).setMethod(1)
                .addHeaders(com.lark.oapi.ws.pb.Pbbp2.Header.newBuilder().setKey("type").setValue("event")).build().toByteArray());
        WS.push(s.appId(), LarkWebSocketServer.messageEvent(s.appId(), "ev_" + uid(), "om_" + uid(), "still fine"));
        await().atMost(WAIT).until(() -> WS.acks(s.appId()).size() == 1);
        assertThat(WS.acks(s.appId()).get(0).code()).isEqualTo(200);
        assertThat(WS.handshakes(s.appId())).isEqualTo(1);
    }

    @Test
    void endpointOptionsBindFromTheUriAndEventsIsConsumerOnly() {
        LarkEndpoint endpoint = camel.getEndpoint("lark:events?workerPoolSize=4&workerQueueSize=50", LarkEndpoint.class);
        assertThat(endpoint.getConfiguration().getWorkerPoolSize()).isEqualTo(4);
        assertThat(endpoint.getConfiguration().getWorkerQueueSize()).isEqualTo(50);
        assertThat(endpoint.getConfiguration().getOperation()).isEqualTo("events");
        org.assertj.core.api.Assertions.assertThatThrownBy(endpoint::createProducer).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lark:events is consumer-only");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> camel.getEndpoint("lark:events?noSuchOption=1"))
                .hasMessageContaining("noSuchOption");
    }

    @Test
    void suspendingTheRouteClosesTheConnectionsAndResumingReconnects() throws Exception {
        Setup s = connected();
        camel.getRouteController().suspendRoute("ingress-long-connection");
        try {
            await().atMost(WAIT).until(() -> WS.open(s.appId()).isEmpty() && "idle".equals(status(s).text("status")));
        } finally {
            camel.getRouteController().resumeRoute("ingress-long-connection");
        }
        await().atMost(WAIT).until(() -> WS.open(s.appId()).size() == 1 && "connected".equals(status(s).text("status")));
    }
}
