package io.larkway.ingress;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.InstanceId;
import io.larkway.LarkwayProperties;
import io.larkway.integration.Timestamps;
import io.larkway.lark.LarkEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Durable accept and dedupe for both ingresses: one INSERT into {@code inbound_events}, whose
 * unique keys on (integration, event_id) and (integration, message_id) make a redelivery, a
 * second path or a second instance a duplicate. An accepted row stays {@code accepted} until the
 * flow has handed it on ({@link #done}); rows whose claim lease ran out are resumed by any
 * instance ({@link #claimExpired}), so a crash after the 200/ack loses nothing.
 */
@Component
public class EventInbox {
    /** Exchange headers of an accepted event (strings, so they survive JDBC aggregation). */
    public static final String INTEGRATION_ID = "larkwayIntegrationId";
    public static final String EVENT_ID = "larkwayEventId";
    public static final String EVENT_TYPE = "larkwayEventType";
    public static final String MESSAGE_ID = "larkwayMessageId";
    public static final String INBOX_ID = "larkwayInboxId";
    public static final String OUTCOME = "larkwayOutcome";

    private static final Logger LOG = LoggerFactory.getLogger(EventInbox.class);

    public enum Outcome { accepted, duplicate, stale }

    private final JdbcClient db;
    private final LarkwayProperties.Ingress config;
    private final String instance;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ObjectMapper json;

    public EventInbox(JdbcClient db, LarkwayProperties props, InstanceId instance, Clock clock, MeterRegistry meters, ObjectMapper json) {
        this.db = db;
        this.config = props.ingress();
        this.instance = instance.toString();
        this.clock = clock;
        this.meters = meters;
        this.json = json;
    }

    /**
     * Accepts an event for an integration. On {@code accepted} the exchange body becomes the event
     * JSON and the headers above are set; the outcome is always in header {@link #OUTCOME}.
     */
    public void accept(String integrationId, LarkEvent event, Exchange exchange) throws Exception {
        exchange.getMessage().setHeader(OUTCOME, store(integrationId, event, exchange.getMessage()).name());
    }

    private Outcome store(String integrationId, LarkEvent event, Message out) throws Exception {
        meters.counter("larkway.events.received", "integration", integrationId).increment();
        Instant now = clock.instant();
        if (event.createTime() != null && event.createTime().isBefore(now.minusSeconds(config.staleAfterSeconds()))) {
            meters.counter("larkway.events.dropped", "integration", integrationId, "reason", "stale").increment();
            LOG.info("Stale event dropped integrationId={} event_id={} message_id={} created={}", integrationId, event.eventId(),
                    event.messageId(), event.createTime());
            return Outcome.stale;
        }
        String payload = json.writeValueAsString(event.event());
        var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
        try {
            db.sql("""
                    INSERT INTO inbound_events (integration_id, event_id, message_id, event_type, create_time, payload, state,
                      accepted_at, claimed_by, claimed_until) VALUES (?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?)""")
                    .params(integrationId, event.eventId(), event.messageId(), event.eventType(), Timestamps.of(event.createTime()), payload,
                            Timestamps.of(now), instance, Timestamps.of(now.plusSeconds(config.claimLeaseSeconds())))
                    .update(keys, "id");
        } catch (DuplicateKeyException e) {
            meters.counter("larkway.events.duplicates", "integration", integrationId).increment();
            LOG.info("Duplicate event ignored integrationId={} event_id={} message_id={}", integrationId, event.eventId(), event.messageId());
            return Outcome.duplicate;
        }
        LOG.info("Event accepted integrationId={} event_id={} message_id={} type={}", integrationId, event.eventId(), event.messageId(),
                event.eventType());
        fill(out, new Pending(keys.getKey().longValue(), integrationId, event.eventId(), event.eventType(), event.messageId(), payload));
        return Outcome.accepted;
    }

    /** Marks an accepted event as handed on; it stays as a dedupe record until the retention ends. */
    public void done(Exchange exchange) {
        // the property: later stages may replace the message's headers
        Long id = exchange.getProperty(INBOX_ID, Long.class);
        if (id != null) {
            db.sql("UPDATE inbound_events SET state = 'done', done_at = ? WHERE id = ?").params(Timestamps.of(clock.instant()), id).update();
        }
    }

    /** Claims accepted events whose lease ran out (their instance died or restarted) for this instance. */
    public List<Pending> claimExpired(int max) {
        Instant now = clock.instant();
        Instant until = now.plusSeconds(config.claimLeaseSeconds());
        List<Long> candidates = db.sql("SELECT id FROM inbound_events WHERE state = 'accepted' AND claimed_until < ? ORDER BY id LIMIT ?")
                .params(Timestamps.of(now), max).query(Long.class).list();
        return candidates.stream()
                .filter(id -> db.sql("UPDATE inbound_events SET claimed_by = ?, claimed_until = ? WHERE id = ? AND state = 'accepted' AND claimed_until < ?")
                        .params(instance, Timestamps.of(until), id, Timestamps.of(now)).update() == 1)
                .map(id -> db.sql("SELECT id, integration_id, event_id, event_type, message_id, payload FROM inbound_events WHERE id = ?").param(id)
                        .query((rs, n) -> new Pending(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)))
                        .single())
                .peek(p -> LOG.info("Resuming accepted event integrationId={} event_id={} message_id={}", p.integrationId(), p.eventId(), p.messageId()))
                .toList();
    }

    /** Forgets dedupe records older than the retention; unfinished events are never purged. */
    public int purge() {
        return db.sql("DELETE FROM inbound_events WHERE state <> 'accepted' AND accepted_at < ?")
                .param(Timestamps.of(clock.instant().minusSeconds(config.dedupeRetentionHours() * 3600L))).update();
    }

    /** Turns an exchange whose body is a {@link Pending} (from {@link #claimExpired}) into the accepted event it stands for. */
    public void resume(Exchange exchange) {
        fill(exchange.getMessage(), exchange.getMessage().getBody(Pending.class));
    }

    /** Puts a pending event on a message as the flow expects it. */
    public static void fill(Message out, Pending p) {
        out.setHeader(INBOX_ID, p.id());
        out.setHeader(INTEGRATION_ID, p.integrationId());
        out.setHeader(EVENT_ID, p.eventId());
        out.setHeader(EVENT_TYPE, p.eventType());
        out.setHeader(MESSAGE_ID, p.messageId());
        out.setBody(p.payload());
    }

    /** An accepted event not yet handed on. */
    public record Pending(long id, String integrationId, String eventId, String eventType, String messageId, String payload) {
    }

}
