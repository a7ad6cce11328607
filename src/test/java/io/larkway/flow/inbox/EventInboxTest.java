package io.larkway.flow.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
import io.larkway.SteppedClock;
import io.larkway.emulator.LarkEmulator;
import io.larkway.flow.FlowHeaders;
import io.larkway.platform.InstanceId;
import io.larkway.platform.RecentErrors;
import io.larkway.platform.Timestamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The inbox's done marks against its own recovery sweep, on an inbox built by hand with a clock of its own and no
 * flusher thread. A context of its own (its own database) whose service sweeps once an hour: the hand-built inbox
 * sees only this test's events, and nothing else takes them.
 */
@org.springframework.test.context.TestPropertySource(properties = "larkway.ingress.recovery-interval-ms=3600000")
class EventInboxTest extends LarkwayTest {
    @Autowired
    JdbcClient db;
    @Autowired
    CamelContext camel;

    @Test
    void theSweepNeverResumesAnEventItsOwnInstanceFinished() {
        LarkEmulator.App app = LARK.newApp();
        String integrationId = newIntegration(newOrg(), app, "webhook", null).path("id").asText();
        SteppedClock own = new SteppedClock(clock.instant());
        InstanceId instance = new InstanceId();
        EventInbox inbox = new EventInbox(db, props, instance, own, new SimpleMeterRegistry(), new RecentErrors(db, own));
        long first = accepted(integrationId, instance, own.instant());
        long second = accepted(integrationId, instance, own.instant());

        inbox.done(finished(first)); // the first mark of the inbox is written at once
        inbox.done(finished(second)); // under 100 ms later (the clock stands still): left to the flusher, which this inbox has not
        assertThat(state(second)).isEqualTo("accepted");

        own.advance(Duration.ofSeconds(props.ingress().claimLeaseSeconds() + 1));
        assertThat(inbox.claimExpired(1000)).as("resumed").isEmpty();
        assertThat(List.of(state(first), state(second))).containsExactly("done", "done");
    }

    private long accepted(String integrationId, InstanceId instance, Instant at) {
        String eventId = "ev-" + UUID.randomUUID();
        String messageId = "om-" + UUID.randomUUID();
        db.sql("INSERT INTO inbound_events (integration_id, event_id, message_id, dedupe_key, event_type, payload, accepted_at) "
                + "VALUES (?, ?, ?, ?, 'im.message.receive_v1', '{}', ?)")
                .params(integrationId, eventId, messageId, "m:" + messageId, Timestamps.of(at)).update();
        long id = db.sql("SELECT id FROM inbound_events WHERE event_id = ?").param(eventId).query(Long.class).single();
        db.sql("INSERT INTO inbox_claims (event_id, claimed_by, claimed_until) VALUES (?, ?, ?)")
                .params(id, instance.toString(), Timestamps.of(at.plusSeconds(props.ingress().claimLeaseSeconds()))).update();
        return id;
    }

    private Exchange finished(long id) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(FlowHeaders.INBOX_ID, id);
        return exchange;
    }

    private String state(long id) {
        return db.sql("SELECT " + InboxRows.STATE + " FROM inbound_events e WHERE e.id = ?").param(id).query(String.class).single();
    }
}
