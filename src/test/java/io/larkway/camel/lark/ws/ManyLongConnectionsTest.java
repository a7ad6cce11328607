package io.larkway.camel.lark.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Hundreds of integrations share a few event-loop threads, not a thread each. */
class ManyLongConnectionsTest extends LarkwayTest {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);
    static final int N = 200;

    @Test
    void twoHundredIntegrationsConnectAndReceiveOnOneInstance() {
        String key = newOrg();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<LarkEmulator.App> apps = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            LarkEmulator.App app = LARK.newApp();
            apps.add(app);
            ids.add(newIntegration(key, app, "long_connection", null).path("id").asText());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> apps.stream().allMatch(a -> WS.open(a.appId()).size() == 1));
        int threadsConnected = ManagementFactory.getThreadMXBean().getThreadCount();

        for (LarkEmulator.App app : apps) {
            WS.push(app.appId(), LarkWebSocketServer.messageEvent(app.appId(), "ev_" + UUID.randomUUID(), "om_" + UUID.randomUUID(), "hi"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> apps.stream().allMatch(a -> WS.acks(a.appId()).size() == 1));
        assertThat(apps).allSatisfy(a -> assertThat(WS.acks(a.appId()).get(0).code()).isEqualTo(200));
        // 200 sockets and 200 events: the event loops plus a bounded worker pool, no thread per connection
        assertThat(threadsConnected - threadsBefore).isLessThan(N / 4);
        assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore).isLessThan(N / 4);

        ids.forEach(id -> call("DELETE", "/api/integrations/" + id, key, null));
        await().atMost(Duration.ofSeconds(30)).until(() -> apps.stream().allMatch(a -> WS.open(a.appId()).isEmpty()));
    }
}
