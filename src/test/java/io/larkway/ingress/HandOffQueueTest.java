package io.larkway.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A burst larger than the in-memory hand-off queue: the overflow waits in the database, is never given up. */
class HandOffQueueTest extends LarkwayTest {
    @DynamicPropertySource
    static void smallQueue(DynamicPropertyRegistry registry) {
        registry.add("larkway.ingress.hand-off-queue-size", () -> "3");
        registry.add("larkway.ingress.claim-lease-seconds", () -> "1");
        registry.add("larkway.ingress.recovery-interval-ms", () -> "200");
    }

    @Autowired
    CamelContext camel;
    @Autowired
    JdbcClient db;

    @Test
    void eventsBeyondTheQueueWaitForRoomAndAreAllProcessed() throws Exception {
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(newOrg(), app, "webhook", null).path("id").asText();
        WebhookSender lark = new WebhookSender(app.appId(), "vt-" + app.appId(), null);
        camel.getRouteController().stopRoute("inbox"); // the inbox stalls: the queue fills up
        try {
            for (int i = 0; i < 8; i++) {
                WebhookSender.Delivery d = lark.message("ev-" + UUID.randomUUID(), "om-" + UUID.randomUUID(), "p2p", "oc_1", "ou_1", "burst " + i,
                        Instant.now());
                assertThat(WebhookSender.post(url("/api/lark/webhook/" + id), d).statusCode()).isEqualTo(200);
            }
            // many leases and sweeps go by while the queue stays full: the sweep claims nothing it could not hand off,
            // so no event uses up its attempts (they count resumes) and none is given up
            Thread.sleep(8_000);
            assertThat(count(id, "failed")).isZero();
            assertThat(db.sql("SELECT MAX(attempts) FROM inbound_events WHERE integration_id = ?").param(id).query(Integer.class).single())
                    .isLessThanOrEqualTo(1);
        } finally {
            camel.getRouteController().startRoute("inbox");
        }
        // no trigger is published, so dispatch drops each event and the inbox marks it done
        await().atMost(Duration.ofSeconds(20)).until(() -> count(id, "done") == 8);
    }

    private int count(String integrationId, String state) {
        return db.sql("SELECT COUNT(*) FROM inbound_events WHERE integration_id = ? AND state = ?").params(integrationId, state).query(Integer.class)
                .single();
    }
}
