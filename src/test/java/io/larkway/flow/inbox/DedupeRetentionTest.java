package io.larkway.flow.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import io.larkway.platform.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Dedupe records expire after {@code larkway.ingress.dedupe-retention-hours}: the same delivery
 * after that is a new event again. An event that was accepted but never finished is never purged.
 */
class DedupeRetentionTest extends LarkwayTest {
    @Autowired
    EventInbox inbox;
    @Autowired
    JdbcClient db;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void theRetentionEndsDedupeButNeverDropsAnUnfinishedEvent() {
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(newOrg(), app, "webhook", null).path("id").asText();
        String url = url("/api/lark/webhook/" + id);
        String eventId = "ev-" + UUID.randomUUID();
        WebhookSender.Delivery delivery = new WebhookSender(app.appId(), "vt-" + app.appId(), null)
                .message(eventId, "om-" + UUID.randomUUID(), "p2p", "oc_1", "ou_1", "hello", Instant.now());
        assertThat(WebhookSender.post(url, delivery).statusCode()).isEqualTo(200);
        // no trigger is published: dispatch drops the event and the inbox marks it done
        await().atMost(Duration.ofSeconds(10)).until(() -> states(id).equals(List.of("done")));
        assertThat(WebhookSender.post(url, delivery).statusCode()).isEqualTo(200);
        assertThat(states(id)).as("a redelivery within the retention").containsExactly("done");

        // both accepted longer ago than the retention: the done event, and one that never finished (claimed far ahead, so no sweep takes it)
        Instant longAgo = Instant.now().minus(Duration.ofHours(props.ingress().dedupeRetentionHours() + 1));
        // the purge walks the events in the order they were accepted (by id) and stops at the first within the retention, so
        // every event accepted up to this test's (other tests' too) moves back, as time would have moved them
        long last = db.sql("SELECT MAX(id) FROM inbound_events WHERE integration_id = ?").param(id).query(Long.class).single();
        db.sql("UPDATE inbound_events SET accepted_at = ? WHERE id <= ?").params(Timestamps.of(longAgo), last).update();
        db.sql("INSERT INTO inbound_events (integration_id, event_id, message_id, dedupe_key, event_type, payload, accepted_at) "
                + "VALUES (?, ?, ?, ?, 'im.message.receive_v1', '{}', ?)")
                .params(id, "ev-unfinished", "om-unfinished", "m:om-unfinished", Timestamps.of(longAgo)).update();
        long unfinished = db.sql("SELECT id FROM inbound_events WHERE integration_id = ? AND event_id = 'ev-unfinished'").param(id).query(Long.class).single();
        db.sql("INSERT INTO inbox_claims (event_id, claimed_by, claimed_until) VALUES (?, 'another-instance', ?)")
                .params(unfinished, Timestamps.of(Instant.now().plus(Duration.ofHours(1)))).update();
        try {
            assertThat(inbox.purge()).isGreaterThanOrEqualTo(1);
            assertThat(states(id)).as("only the unfinished event is left").containsExactly("accepted");

            // the same delivery after the retention: accepted and processed again
            assertThat(WebhookSender.post(url, delivery).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> db.sql("SELECT " + InboxRows.STATE + " FROM inbound_events e WHERE e.integration_id = ? "
                    + "AND e.event_id = ?").params(id, eventId).query(String.class).list().equals(List.of("done")));
            assertThat(inbox.purge()).as("nothing older than the retention is left").isZero();
            assertThat(states(id)).as("an event finished within the retention stays a dedupe record").containsExactly("accepted", "done");
        } finally {
            db.sql("DELETE FROM inbox_claims WHERE event_id = ?").param(unfinished).update();
            db.sql("DELETE FROM inbound_events WHERE id = ?").param(unfinished).update();
        }
    }

    /**
     * The purge has no index on the acceptance time: it walks the events by id, a page at a time, and stops at the first
     * one accepted within the retention. Here 700 old events, one stamped days ahead (an instance whose clock ran ahead:
     * kept, and no stop), 800 old ones (more than a page in all), one within the retention, and 5 old ones after it (an
     * instance whose clock ran behind: kept until the walk gets there).
     */
    @Test
    void thePurgeWalksTheEventsInAcceptanceOrderPastAPageAndStopsAtOneWithinTheRetention() {
        String integrationId = "int-purge-" + UUID.randomUUID();
        Instant now = clock.instant();
        Instant longAgo = now.minus(Duration.ofHours(props.ingress().dedupeRetentionHours() + 1));
        // every event accepted before this test's (other tests' too) moves back, as time would have moved them
        db.sql("UPDATE inbound_events SET accepted_at = ?").param(Timestamps.of(longAgo)).update();
        insert(integrationId, "old-a", 700, longAgo);
        insert(integrationId, "ahead", 1, now.plus(Duration.ofDays(2)));
        insert(integrationId, "old-b", 800, longAgo);
        insert(integrationId, "recent", 1, now.minus(Duration.ofHours(1)));
        insert(integrationId, "old-c", 5, longAgo);
        try {
            assertThat(inbox.purge()).isGreaterThanOrEqualTo(1500);
            assertThat(db.sql("SELECT event_id FROM inbound_events WHERE integration_id = ? ORDER BY id").param(integrationId).query(String.class).list())
                    .containsExactly("ahead-0", "recent-0", "old-c-0", "old-c-1", "old-c-2", "old-c-3", "old-c-4");
        } finally {
            db.sql("DELETE FROM inbound_events WHERE integration_id = ?").param(integrationId).update();
        }
    }

    private void insert(String integrationId, String prefix, int count, Instant acceptedAt) {
        List<Object[]> rows = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> new Object[] {integrationId, prefix + "-" + i, "e:" + prefix + "-" + i, Timestamps.of(acceptedAt)}).toList();
        jdbc.batchUpdate("INSERT INTO inbound_events (integration_id, event_id, dedupe_key, event_type, payload, accepted_at) "
                + "VALUES (?, ?, ?, 'im.message.receive_v1', '{}', ?)", rows);
    }

    private List<String> states(String integrationId) {
        return db.sql("SELECT " + InboxRows.STATE + " FROM inbound_events e WHERE e.integration_id = ? ORDER BY e.id").param(integrationId).query(String.class).list();
    }
}
