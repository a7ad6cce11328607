package io.larkway.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.lark.oapi.event.EventDispatcher;
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
