package io.larkway.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.lark.oapi.event.EventDispatcher;
import com.lark.oapi.event.cardcallback.P2CardActionTriggerHandler;
import com.lark.oapi.event.cardcallback.model.CallBackToast;
import com.lark.oapi.event.cardcallback.model.P2CardActionTrigger;
import com.lark.oapi.event.cardcallback.model.P2CardActionTriggerResponse;
import com.lark.oapi.service.im.ImService;
import com.lark.oapi.service.im.v1.model.P2MessageReceiveV1;
import com.lark.oapi.ws.Client;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;

/**
 * The fixture is faithful when Lark's own Java SDK ws client, unchanged, fetches an endpoint from
 * it, connects, pings, receives a pushed event (whole and split) and acks it as the fixture expects.
 */
class LarkWebSocketServerSdkTest {

    @Test
    void officialSdkClientReceivesAndAcksThroughTheFixture() throws Exception {
        LarkEmulator lark = LarkEmulator.shared();
        LarkWebSocketServer ws = LarkWebSocketServer.on(lark);
        LarkEmulator.App app = lark.newApp();
        List<String> received = new CopyOnWriteArrayList<>();
        EventDispatcher dispatcher = EventDispatcher.newBuilder("", "")
                .onP2MessageReceiveV1(new ImService.P2MessageReceiveV1Handler() {
                    @Override
                    public void handle(P2MessageReceiveV1 event) {
                        received.add(event.getEvent().getMessage().getMessageId());
                    }
                }).build();
        Client client = new Client.Builder(app.appId(), app.appSecret()).domain(lark.baseUrl()).eventHandler(dispatcher).autoReconnect(false).build();
        try {
            client.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> ws.open(app.appId()).size() == 1);

            String frameId = ws.push(app.appId(), LarkWebSocketServer.messageEvent(app.appId(), "ev_sdk_1", "om_sdk_1", "hello"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !ws.acks(app.appId()).isEmpty());
            LarkWebSocketServer.Ack ack = ws.acks(app.appId()).get(0);
            assertThat(received).containsExactly("om_sdk_1");
            assertThat(ack.messageId()).isEqualTo(frameId);
            assertThat(ack.code()).isEqualTo(200);
            assertThat(ack.bizRt()).isNotNull();
            assertThat(ws.unacked(frameId)).isFalse();

            // parts spaced out: the SDK reassembles on its thread pool without a lock, and parts
            // handled concurrently can each start a new buffer (the event is then never complete)
            String split = ws.pushSplit(app.appId(), LarkWebSocketServer.messageEvent(app.appId(), "ev_sdk_2", "om_sdk_2", "x".repeat(3000)), 3,
                    false, 200);
            await().atMost(Duration.ofSeconds(10)).until(() -> ws.acks(app.appId()).size() == 2);
            assertThat(received).containsExactly("om_sdk_1", "om_sdk_2");
            assertThat(ws.acks(app.appId()).get(1).messageId()).isEqualTo(split);
            // the SDK pings 2 s after start
            await().atMost(Duration.ofSeconds(10)).until(() -> !ws.pings(app.appId()).isEmpty());
            assertThat(ws.pings(app.appId()).get(0).service()).isEqualTo(ws.open(app.appId()).get(0).serviceId);
        } finally {
            stop(client);
        }
    }

    /**
     * What the SDK answers a card callback with, so the fixture reads larkway's answer as Lark would: the SDK (2.5.3)
     * dispatches {@code card.action.trigger} from a frame of type {@code event} (frames of type {@code card} it drops
     * without an ack) and acks with {@code data} = its handler's response (Gson writes the bytes as an array, Lark's Go
     * server reads base64; {@link LarkWebSocketServer.Ack#data()} takes both, larkway sends base64).
     */
    @Test
    void officialSdkClientAnswersACardCallbackInTheAck() throws Exception {
        LarkEmulator lark = LarkEmulator.shared();
        LarkWebSocketServer ws = LarkWebSocketServer.on(lark);
        LarkEmulator.App app = lark.newApp();
        List<String> values = new CopyOnWriteArrayList<>();
        EventDispatcher dispatcher = EventDispatcher.newBuilder("", "").onP2CardActionTrigger(new P2CardActionTriggerHandler() {
            @Override
            public P2CardActionTriggerResponse handle(P2CardActionTrigger event) {
                values.add(String.valueOf(event.getEvent().getAction().getValue().get("choice")));
                CallBackToast toast = new CallBackToast();
                toast.setType("info");
                toast.setContent("got it");
                P2CardActionTriggerResponse response = new P2CardActionTriggerResponse();
                response.setToast(toast);
                return response;
            }
        }).build();
        Client client = new Client.Builder(app.appId(), app.appSecret()).domain(lark.baseUrl()).eventHandler(dispatcher).autoReconnect(false).build();
        try {
            client.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> ws.open(app.appId()).size() == 1);
            String frameId = ws.push(app.appId(), CardCallbacks.buttonClick(app.appId(), "", "ev_card_1", "om_card_1", "oc_1", "ou_1",
                    new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("choice", "yes"), java.time.Instant.now()).toString());
            await().atMost(Duration.ofSeconds(10)).until(() -> ws.firstAck(frameId) != null);
            assertThat(values).containsExactly("yes");
            assertThat(ws.firstAck(frameId).code()).isEqualTo(200);
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(ws.firstAck(frameId).data()).path("toast").path("content").asText())
                    .isEqualTo("got it");
        } finally {
            stop(client);
        }
    }

    /** The SDK has no public stop: close its socket and its thread pool through the protected members. */
    static void stop(Client client) throws Exception {
        var disconnect = Client.class.getDeclaredMethod("disconnect");
        disconnect.setAccessible(true);
        var auto = Client.class.getDeclaredField("autoReconnect");
        auto.setAccessible(true);
        auto.set(client, false);
        disconnect.invoke(client);
        var executor = Client.class.getDeclaredField("executor");
        executor.setAccessible(true);
        ((ExecutorService) executor.get(client)).shutdownNow();
    }
}
