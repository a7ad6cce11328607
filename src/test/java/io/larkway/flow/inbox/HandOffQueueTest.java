package io.larkway.flow.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.platform.InstanceId;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import io.larkway.platform.Timestamps;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A burst larger than the in-memory hand-off queue: the overflow gives its claim back and waits in
 * the database, without using up its attempts, until the queue has room.
 */
@org.springframework.test.annotation.DirtiesContext // its own context, closed after it: not left sweeping the shared database as a second instance
class HandOffQueueTest extends LarkwayTest {
    @DynamicPropertySource
    static void smallQueue(DynamicPropertyRegistry registry) {
        registry.add("larkway.ingress.hand-off-queue-size", () -> "3");
    }

    @Autowired
    CamelContext camel;
    @Autowired
    JdbcClient db;
    @Autowired
    InstanceId instance;
    @Autowired
    MeterRegistry meters;
    @Autowired
    TransactionTemplate transactions;

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
            // the five that did not fit gave their claims back at once (the three queued keep theirs: a 2 s lease); this
            // instance's sweep may take up a released event at once
            String me = instance.toString();
            List<Map<String, Object>> rows = db.sql("SELECT e.accepted_at, c.claimed_until, c.claimed_by FROM inbound_events e JOIN inbox_claims c ON c.event_id = e.id "
                    + "WHERE e.integration_id = ?")
                    .param(id).query().listOfRows();
            assertThat(rows).hasSize(8);
            assertThat(rows.stream().filter(r -> !me.equals(r.get("claimed_by"))
                    || Duration.between(instant(r.get("accepted_at")), instant(r.get("claimed_until"))).toMillis() < 1000))
                    .as("claims given back").hasSizeGreaterThanOrEqualTo(5);
            // leases run out and this instance's sweeps go by while its queue stays full: they claim nothing they could not
            // hand off (a claim that bounced would be a write to claim and another to give the claim back, every tick)
            double bounced = meters.counter("larkway.inbox.queue.full", "integration", id).count();
            inboxLeasesRunOut();
            assertThat(meters.counter("larkway.inbox.queue.full", "integration", id).count()).as("claimed while the queue was full")
                    .isEqualTo(bounced);
        } finally {
            camel.getRouteController().startRoute("inbox");
        }
        // no trigger is published, so dispatch drops each event (none given up) and the inbox marks it done
        await().atMost(Duration.ofSeconds(15)).until(() -> count(id, "done") == 8);
        assertThat(meters.counter("larkway.events.dropped", "integration", id, "reason", "no_published_trigger").count()).isEqualTo(8);
    }

    @Test
    void aResumedEventThatFindsTheQueueFullGivesItsClaimAndAttemptBack() throws Exception {
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(newOrg(), app, "webhook", null).path("id").asText();
        WebhookSender lark = new WebhookSender(app.appId(), "vt-" + app.appId(), null);
        camel.getRouteController().stopRoute("inbox");
        try {
            for (int i = 0; i < 3; i++) { // the queue is full
                WebhookSender.post(url("/api/lark/webhook/" + id), lark.message("ev-" + UUID.randomUUID(), "om-" + UUID.randomUUID(), "p2p", "oc_1",
                        "ou_1", "fill " + i, Instant.now()));
            }
            // an event the sweep has just claimed (its second attempt counted) and hands over as the sweep does
            Instant lease = clock.instant().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            String eventId = "ev-" + UUID.randomUUID();
            db.sql("INSERT INTO inbound_events (integration_id, event_id, dedupe_key, event_type, payload, accepted_at) "
                    + "VALUES (?, ?, ?, 'im.chat.member.bot.added_v1', '{}', ?)")
                    .params(id, eventId, "e:" + eventId, Timestamps.of(clock.instant())).update();
            long rowId = db.sql("SELECT id FROM inbound_events WHERE event_id = ?").param(eventId).query(Long.class).single();
            db.sql("INSERT INTO inbox_claims (event_id, claimed_by, claimed_until, attempts) VALUES (?, ?, ?, 2)")
                    .params(rowId, instance.toString(), Timestamps.of(lease)).update();
            Exchange resumed = new DefaultExchange(camel);
            EventInbox.fill(resumed.getMessage(), new EventInbox.Pending(rowId, id, eventId, "im.chat.member.bot.added_v1", null, "{}",
                    lease.toEpochMilli()));
            // in one transaction with the check: once the claim is given back, any instance's sweep (the suite's contexts share
            // the database) may claim the event again at once
            Map<String, Object> row = transactions.execute(status -> {
                camel.createProducerTemplate().send("direct:inbox-hand-off", resumed);
                return db.sql("SELECT attempts, claimed_until FROM inbox_claims WHERE event_id = ?").param(rowId).query().singleRow();
            });
            assertThat(((Number) row.get("attempts")).intValue()).as("the bounce gave its attempt back").isEqualTo(1);
            assertThat(instant(row.get("claimed_until"))).as("and its claim").isBefore(lease);
        } finally {
            camel.getRouteController().startRoute("inbox");
        }
        // taken up again by a sweep and dropped by dispatch, with the three that filled the queue
        await().atMost(Duration.ofSeconds(15)).until(() -> count(id, "done") == 4);
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof java.time.OffsetDateTime o ? o.toInstant() : ((java.sql.Timestamp) timestamp).toInstant();
    }

    private int count(String integrationId, String state) {
        return db.sql("SELECT COUNT(*) FROM inbound_events e WHERE e.integration_id = ? AND " + InboxRows.STATE + " = ?").params(integrationId, state)
                .query(Integer.class)
                .single();
    }
}
