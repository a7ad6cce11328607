package io.larkway.flow.ingress;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.camel.lark.LarkEvent;
import io.larkway.flow.FlowHeaders;
import io.larkway.flow.inbox.EventInbox;
import io.larkway.flow.inbox.EventInbox.Pending;
import io.larkway.platform.InstanceId;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.Timestamps;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Durable accept and dedupe for both ingresses: one INSERT into {@code inbound_events}, whose
 * unique key on (integration, message id or else event id) makes a redelivery, a second path or
 * a second instance a duplicate ({@link InboxWriter#dedupeKey}); events arriving together share one commit
 * ({@link InboxWriter}). What happens to an accepted event next is the inbox's ({@link EventInbox}).
 */
@Component
public class EventAcceptor {
    private static final Logger LOG = LoggerFactory.getLogger(EventAcceptor.class);

    public enum Outcome { accepted, duplicate, stale }

    private final InboxWriter writer;
    private final LarkwayProperties.Ingress config;
    private final String instance;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ObjectMapper json;
    private final LastDeliveries deliveries;

    public EventAcceptor(JdbcTemplate jdbc, TransactionTemplate transaction, LarkwayProperties props, InstanceId instance, Clock clock,
            MeterRegistry meters, ObjectMapper json, LastDeliveries deliveries) {
        this.writer = new InboxWriter(jdbc, transaction, DistributionSummary.builder("larkway.inbox.accept.batch")
                .description("Events written per accept transaction (group commit)").register(meters));
        this.config = props.ingress();
        this.instance = instance.toString();
        this.clock = clock;
        this.meters = meters;
        this.json = json;
        this.deliveries = deliveries;
    }

    /**
     * Accepts an event for an integration. On {@code accepted} the exchange body becomes the event
     * JSON and the headers above are set; the outcome is always in header {@link FlowHeaders#OUTCOME}.
     * (Bound by annotation: parameters written into the route's method call are parsed again on every call.)
     */
    public void accept(@Header(FlowHeaders.INTEGRATION_ID) String integrationId, @Body LarkEvent event, Exchange exchange) throws Exception {
        exchange.getMessage().setHeader(FlowHeaders.OUTCOME, store(integrationId, event, exchange.getMessage()).name());
    }

    private Outcome store(String integrationId, LarkEvent event, Message out) throws Exception {
        meters.counter("larkway.events.received", "integration", integrationId).increment();
        Instant now = clock.instant();
        // a create_time in the future would never go stale (and may not fit a column): it counts as now
        Instant created = event.createTime() == null || event.createTime().isBefore(now) ? event.createTime() : now;
        if (created != null && created.isBefore(now.minusSeconds(config.staleAfterSeconds()))) {
            meters.counter("larkway.events.dropped", "integration", integrationId, "reason", "stale").increment();
            LOG.info("Stale event dropped integrationId={} event_id={} message_id={} created={}", integrationId, event.eventId(),
                    event.messageId(), event.createTime());
            return Outcome.stale;
        }
        String payload = json.writeValueAsString(event.event());
        Instant until = now.plusSeconds(config.claimLeaseSeconds()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        long id = writer.insert(new InboxWriter.Row(integrationId, event.eventId(), event.messageId(), event.eventType(),
                Timestamps.of(created), payload, Timestamps.of(now), instance, Timestamps.of(until)));
        if (id == 0) {
            meters.counter("larkway.events.duplicates", "integration", integrationId).increment();
            LOG.info("Duplicate event ignored integrationId={} event_id={} message_id={}", integrationId, event.eventId(), event.messageId());
            return Outcome.duplicate;
        }
        deliveries.accepted(integrationId, now);
        LOG.debug("Event accepted integrationId={} event_id={} message_id={} type={}", integrationId, event.eventId(), event.messageId(),
                event.eventType());
        EventInbox.fill(out, new Pending(id, integrationId, event.eventId(), event.eventType(), event.messageId(), payload,
                until.toEpochMilli()));
        out.getExchange().setProperty(FlowHeaders.EVENT_JSON, Map.entry(payload, event.event()));
        return Outcome.accepted;
    }

}
