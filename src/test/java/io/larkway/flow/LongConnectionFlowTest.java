package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The recommended mode end to end: an event pushed on the long connection gets exactly one reply. */
class LongConnectionFlowTest extends FlowFixture {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);

    @Test
    void pushedMessageIsAckedAndAnsweredOnceEvenWhenRedelivered() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String integrationId = newIntegration(key, app, "long_connection", null).path("id").asText();
        String expertId = call("POST", "/api/experts", key, Map.of("name", "echo", "type", "echo")).text("id");
        String triggerId = call("POST", "/api/triggers", key, Map.of("integrationId", integrationId, "expertId", expertId)).text("id");
        assertThat(call("POST", "/api/triggers/" + triggerId + "/publish", key, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> WS.open(app.appId()).size() == 1);

        String messageId = "om_" + UUID.randomUUID();
        String frameId = WS.push(app.appId(), LarkWebSocketServer.messageEvent(app.appId(), UUID.randomUUID().toString(), messageId, "over the socket"));
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(app.appId()).size() == 1);
        LarkEmulator.Message reply = LARK.messages(app.appId()).get(0);
        assertThat(reply.target()).isEqualTo(messageId);
        assertThat(text(reply)).isEqualTo("over the socket");
        await().atMost(Duration.ofSeconds(5)).until(() -> WS.firstAck(frameId) != null);
        assertThat(WS.firstAck(frameId).code()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> LARK.requests("DELETE", "/open-apis/im/v1/messages/" + messageId + "/reactions/.*").size() == 1);

        WS.redeliver(frameId);
        WS.redeliver(frameId);
        // both redeliveries answered on the socket (each after the inbox saw it), then past the event's lease: still one reply
        await().atMost(Duration.ofSeconds(5)).until(() -> WS.acks(app.appId()).size() >= 3);
        inboxLeasesRunOut();
        assertThat(LARK.messages(app.appId())).hasSize(1);
        assertThat(WS.acks(app.appId())).hasSizeGreaterThanOrEqualTo(3).allMatch(a -> a.code() == 200);
    }
}
