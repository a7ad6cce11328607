package io.larkway.flow.inbox;

import io.larkway.flow.FlowHeaders;
import io.larkway.platform.InstanceId;
import io.larkway.platform.LarkwayProperties;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps an integration's events in order while some are deferred (dispatch waits for its bot
 * identity): an event behind a deferred one of its integration is deferred too, so the sweep, which
 * resumes deferred events in inbox id order, dispatches them all in the order they came. Without
 * this, a message arriving after the identity but before the sweep dispatched the deferred ones
 * would overtake them (and a window would merge them in reverse). In memory, on the inbox thread:
 * one map look-up per event; the deferred events themselves stay in the database.
 */
@Component
public class DeferredOrder {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredOrder.class);
    /** The event's integration, kept for after dispatch (later stages may replace the message's headers). */
    private static final String INTEGRATION = "larkwayDeferredOrderIntegration";

    private final JdbcClient db;
    private final Clock clock;
    private final ProducerTemplate camel;
    private final String instance;
    private final long leaseMs;
    /** Per integration: its deferred events not yet dispatched again, inbox id -> when last checked (epoch ms). */
    private final Map<String, ConcurrentSkipListMap<Long, Long>> deferred = new ConcurrentHashMap<>();

    public DeferredOrder(JdbcClient db, Clock clock, ProducerTemplate camel, InstanceId instance, LarkwayProperties props) {
        this.db = db;
        this.clock = clock;
        this.camel = camel;
        this.instance = instance.toString();
        this.leaseMs = props.ingress().claimLeaseSeconds() * 1000L;
    }

    /** Before dispatch: an event behind a deferred one of its integration is deferred too (property {@link FlowHeaders#DEFERRED}). */
    public void holdBack(Exchange exchange) {
        String integrationId = exchange.getMessage().getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        exchange.setProperty(INTEGRATION, integrationId);
        Long id = exchange.getProperty(FlowHeaders.INBOX_ID, Long.class);
        ConcurrentSkipListMap<Long, Long> waiting = integrationId == null ? null : deferred.get(integrationId);
        if (id == null || waiting == null) {
            return;
        }
        Map.Entry<Long, Long> first;
        while ((first = waiting.firstEntry()) != null && first.getKey() < id && !stillDeferred(integrationId, first.getKey(), first.getValue(), waiting)) {
            waiting.remove(first.getKey());
        }
        if (first != null && first.getKey() < id) {
            exchange.setProperty(FlowHeaders.DEFERRED, true);
            LOG.debug("Event deferred behind an earlier deferred one integrationId={} message_id={}", integrationId,
                    exchange.getMessage().getHeader(FlowHeaders.MESSAGE_ID));
        }
    }

    /**
     * Whether a deferred event will still come back here. One checked more than a lease ago is looked
     * up: another instance's sweep may have taken it up (or it was finished there), and it must not
     * hold this integration's events back for ever. A database that cannot answer: still deferred.
     */
    private boolean stillDeferred(String integrationId, long id, long checkedAt, ConcurrentSkipListMap<Long, Long> waiting) {
        long now = clock.millis();
        if (now - checkedAt < leaseMs) {
            return true;
        }
        try {
            boolean ours = db.sql("SELECT COUNT(*) FROM inbox_claims WHERE event_id = ? AND claimed_by = ?")
                    .params(id, instance).query(Integer.class).single() > 0;
            if (ours) {
                waiting.put(id, now);
            } else {
                LOG.info("Deferred event taken up elsewhere, no longer waited for integrationId={} inbox_id={}", integrationId, id);
            }
            return ours;
        } catch (RuntimeException e) {
            LOG.warn("Could not check a deferred event integrationId={} inbox_id={}: {}", integrationId, id, e.toString());
            return true;
        }
    }

    /** Dispatch deferred the event (or it was held back): later events of its integration wait until it is dispatched again. */
    public void deferred(Exchange exchange) {
        String integrationId = exchange.getProperty(INTEGRATION, String.class);
        Long id = exchange.getProperty(FlowHeaders.INBOX_ID, Long.class);
        if (integrationId != null && id != null) {
            deferred.computeIfAbsent(integrationId, k -> new ConcurrentSkipListMap<>()).put(id, clock.millis());
        }
    }

    /**
     * The event went through dispatch (or failed there: tried again after its lease, as any event):
     * it holds nothing back any more. Events deferred behind it go on now, with a sweep, not at the
     * sweep's next tick.
     */
    public void released(Exchange exchange) {
        String integrationId = exchange.getProperty(INTEGRATION, String.class);
        Long id = exchange.getProperty(FlowHeaders.INBOX_ID, Long.class);
        ConcurrentSkipListMap<Long, Long> waiting = integrationId == null ? null : deferred.get(integrationId);
        if (id == null || waiting == null || waiting.remove(id) == null) {
            return;
        }
        if (waiting.isEmpty()) {
            deferred.computeIfPresent(integrationId, (k, v) -> v.isEmpty() ? null : v);
        } else {
            camel.asyncSendBody("direct:inbox-sweep", null);
        }
    }
}
