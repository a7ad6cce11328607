package io.larkway.flow.inbox;

import io.larkway.flow.FlowHeaders;
import io.larkway.platform.InstanceId;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.Timestamps;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The inbox between the ingresses and dispatch: an event accepted into {@code inbound_events}
 * (by {@link io.larkway.flow.ingress.EventAcceptor}) keeps its claim in {@code inbox_claims} until
 * the flow has handed it on ({@link #done} deletes the claim); events whose claim lease ran out are
 * resumed by any instance ({@link #claimExpired}), so a crash after the 200/ack loses nothing. The
 * event's own row is never updated: it stays as the dedupe record until the retention ends ({@link #purge}).
 */
@Component
public class EventInbox {
    /** Attempts after which an event that keeps failing is given up (and shown as an error). */
    static final int MAX_ATTEMPTS = 5;
    /** Done marks (claims deleted) written per statement at most. */
    private static final int DONE_BATCH = 500;
    /** Longest a done mark waits to be written. */
    private static final long DONE_DELAY_MS = 100;
    /** Events the retention's purge reads and deletes at a time. */
    private static final int PURGE_PAGE = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(EventInbox.class);

    private final JdbcClient db;
    private final LarkwayProperties.Ingress config;
    private final String instance;
    private final Clock clock;
    private final MeterRegistry meters;
    private final io.larkway.platform.RecentErrors errors;
    private final java.util.Queue<Long> finished = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger finishedCount = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastFlush;
    private final java.util.concurrent.ScheduledExecutorService flusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "inbox-done");
        t.setDaemon(true);
        return t;
    });

    public EventInbox(JdbcClient db, LarkwayProperties props, InstanceId instance, Clock clock, MeterRegistry meters,
            io.larkway.platform.RecentErrors errors) {
        this.errors = errors;
        this.db = db;
        this.config = props.ingress();
        this.instance = instance.toString();
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Takes the event for dispatch on this instance, if its claim is still the one it was queued
     * with: an event queued here whose lease ran out may meanwhile have been taken up elsewhere.
     * While at least half of that lease is left no other instance can have taken it, so the
     * usual case needs no database write; a late one is re-claimed with a conditional UPDATE.
     * Header {@code larkwayInboxTaken}.
     */
    public void take(Exchange exchange) {
        Message m = exchange.getMessage();
        Long id = m.getHeader(FlowHeaders.INBOX_ID, Long.class);
        exchange.setProperty(FlowHeaders.INBOX_ID, id);
        long claimed = m.getHeader(FlowHeaders.INBOX_CLAIMED_UNTIL, 0L, Long.class);
        Instant now = clock.instant();
        boolean fresh = claimed - now.toEpochMilli() >= config.claimLeaseSeconds() * 500L;
        boolean taken = id != null && (fresh || db.sql("UPDATE inbox_claims SET claimed_until = ? "
                + "WHERE event_id = ? AND claimed_by = ? AND claimed_until = ?")
                .params(Timestamps.of(now.plusSeconds(config.claimLeaseSeconds())), id, instance, Timestamps.of(Instant.ofEpochMilli(claimed)))
                .update() == 1);
        if (!taken) {
            LOG.info("Event already taken up elsewhere integrationId={} event_id={} message_id={}", m.getHeader(FlowHeaders.INTEGRATION_ID),
                    m.getHeader(FlowHeaders.EVENT_ID), m.getHeader(FlowHeaders.MESSAGE_ID));
        }
        m.setHeader(FlowHeaders.INBOX_TAKEN, taken);
    }

    /**
     * The hand-off queue was full: the event stays accepted in the database and gives its claim
     * back, so the recovery sweep takes it up as soon as the queue has room instead of after its
     * lease. A bounce off the full queue is no attempt: it takes back the one the sweep counted
     * when it claimed the event, so an overloaded inbox never gives up an event it has not tried.
     * Never throws: if the release fails, the lease still runs out.
     */
    public void queueFull(Exchange exchange) {
        Message m = exchange.getMessage();
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        meters.counter("larkway.inbox.queue.full", "integration", integrationId).increment();
        try {
            db.sql("UPDATE inbox_claims SET claimed_until = ?, attempts = GREATEST(attempts - 1, 0) "
                    + "WHERE event_id = ? AND claimed_by = ? AND claimed_until = ?")
                    .params(Timestamps.of(clock.instant()), m.getHeader(FlowHeaders.INBOX_ID, Long.class), instance,
                            Timestamps.of(Instant.ofEpochMilli(m.getHeader(FlowHeaders.INBOX_CLAIMED_UNTIL, 0L, Long.class)))).update();
            LOG.info("Hand-off queue full, event left to the recovery sweep integrationId={} event_id={} message_id={}", integrationId,
                    m.getHeader(FlowHeaders.EVENT_ID), m.getHeader(FlowHeaders.MESSAGE_ID));
        } catch (RuntimeException e) {
            LOG.warn("Hand-off queue full, event resumed after its lease integrationId={} event_id={} message_id={}: {}", integrationId,
                    m.getHeader(FlowHeaders.EVENT_ID), m.getHeader(FlowHeaders.MESSAGE_ID), e.toString());
        }
    }

    /**
     * Marks a dispatched event done: its claim goes, its event stays as a dedupe record until the
     * retention ends. A busy inbox deletes the claims in batches, one DELETE for many events: at once
     * unless the last write was under {@value #DONE_DELAY_MS} ms ago, else by the flusher thread within that time.
     */
    public void done(Exchange exchange) {
        // the property: later stages may replace the message's headers
        Long id = exchange.getProperty(FlowHeaders.INBOX_ID, Long.class);
        if (id == null) {
            return;
        }
        finished.add(id);
        if (finishedCount.incrementAndGet() >= DONE_BATCH || clock.millis() - lastFlush >= DONE_DELAY_MS) {
            flushDone();
        }
    }

    /**
     * Writes the pending done marks. Until then a dispatched event still has its claim: a crash in
     * between makes it dispatched again once its lease ends (at least once, never lost). A plain
     * thread, not a Camel timer, so it keeps writing while Camel shuts down.
     */
    synchronized void flushDone() {
        lastFlush = clock.millis();
        while (!finished.isEmpty()) {
            List<Long> ids = new java.util.ArrayList<>(DONE_BATCH);
            for (Long id; ids.size() < DONE_BATCH && (id = finished.poll()) != null; ) {
                ids.add(id);
            }
            finishedCount.addAndGet(-ids.size());
            try {
                db.sql("DELETE FROM inbox_claims WHERE event_id IN (:ids)").param("ids", ids).update();
            } catch (RuntimeException e) {
                // kept for the next write; until then the events stay accepted (resumed after their lease at worst)
                finished.addAll(ids);
                finishedCount.addAndGet(ids.size());
                LOG.warn("Could not mark {} dispatched events done, will retry: {}", ids.size(), e.toString());
                return;
            }
        }
    }

    @jakarta.annotation.PostConstruct
    void startFlusher() {
        flusher.scheduleWithFixedDelay(() -> {
            if (!finished.isEmpty()) {
                flushDone();
            }
        }, DONE_DELAY_MS, DONE_DELAY_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @jakarta.annotation.PreDestroy
    void close() {
        flusher.shutdown();
        flushDone();
    }

    /**
     * Dispatch could not route the event yet (it waits for a bot identity being fetched): the event
     * gives its claim back, so the recovery sweep dispatches it again at its next round; like a
     * bounce off the full queue this is no attempt. Never throws: if the release fails, the lease still runs out.
     */
    public void defer(Exchange exchange) {
        Message m = exchange.getMessage();
        try {
            db.sql("UPDATE inbox_claims SET claimed_until = ?, attempts = GREATEST(attempts - 1, 0) WHERE event_id = ? AND claimed_by = ?")
                    .params(Timestamps.of(clock.instant()), exchange.getProperty(FlowHeaders.INBOX_ID, Long.class), instance).update();
        } catch (RuntimeException e) {
            LOG.warn("Deferred event resumed after its lease integrationId={} event_id={} message_id={}: {}", m.getHeader(FlowHeaders.INTEGRATION_ID),
                    m.getHeader(FlowHeaders.EVENT_ID), m.getHeader(FlowHeaders.MESSAGE_ID), e.toString());
        }
    }

    /** Dispatch failed: the event stays taken and is tried again once its lease runs out (up to a limit). */
    public void failed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = e == null ? "unknown" : e.getClass().getSimpleName() + ": " + e.getMessage();
        String integrationId = exchange.getMessage().getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        String messageId = exchange.getMessage().getHeader(FlowHeaders.MESSAGE_ID, String.class);
        LOG.error("Dispatch failed, will retry integrationId={} message_id={}: {}", integrationId, messageId, reason);
        errors.record(integrationId, "dispatch", "dispatch failed, will retry: " + reason, messageId);
    }

    /**
     * Claims accepted events whose lease ran out (their instance died or restarted) for this instance.
     * This instance's own pending done marks are written first, so an event it has finished is not
     * resumed merely because its mark was still waiting for the flusher (a clock that jumped, a starved
     * thread). An event still in dispatch when its lease runs out is resumed, as before (at least once).
     */
    public List<Pending> claimExpired(int max) {
        if (!finished.isEmpty()) {
            flushDone();
        }
        Instant now = clock.instant();
        Instant lease = now.plusSeconds(config.claimLeaseSeconds()).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<Long> candidates = db.sql("SELECT event_id FROM inbox_claims WHERE claimed_until < ? ORDER BY event_id LIMIT ?")
                .params(Timestamps.of(now), max).query(Long.class).list();
        List<Pending> resumed = new java.util.ArrayList<>();
        for (long id : candidates) {
            if (db.sql("UPDATE inbox_claims SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1 WHERE event_id = ? AND claimed_until < ?")
                    .params(instance, Timestamps.of(lease), id, Timestamps.of(now)).update() != 1) {
                continue; // another instance took it up first
            }
            var rows = db.sql("SELECT e.integration_id, e.event_id, e.event_type, e.message_id, e.payload, c.attempts FROM inbound_events e "
                    + "JOIN inbox_claims c ON c.event_id = e.id WHERE e.id = ?").param(id).query().listOfRows();
            if (rows.isEmpty()) {
                db.sql("DELETE FROM inbox_claims WHERE event_id = ?").param(id).update(); // a claim whose event is gone: nothing to resume
                continue;
            }
            Map<String, Object> r = rows.get(0);
            Pending p = new Pending(id, (String) r.get("integration_id"), (String) r.get("event_id"), (String) r.get("event_type"),
                    (String) r.get("message_id"), String.valueOf(r.get("payload")), lease.toEpochMilli());
            if (((Number) r.get("attempts")).intValue() > MAX_ATTEMPTS) {
                db.sql("DELETE FROM inbox_claims WHERE event_id = ?").param(id).update();
                LOG.error("Event given up after {} attempts integrationId={} event_id={} message_id={}", MAX_ATTEMPTS, p.integrationId(), p.eventId(),
                        p.messageId());
                errors.record(p.integrationId(), "dispatch", "event given up after " + MAX_ATTEMPTS + " attempts", p.messageId());
                continue;
            }
            LOG.info("Resuming accepted event integrationId={} event_id={} message_id={}", p.integrationId(), p.eventId(), p.messageId());
            resumed.add(p);
        }
        return resumed;
    }

    /**
     * Forgets dedupe records older than the retention: events accepted before it and finished (no
     * claim left); an unfinished event is never purged. No index on the acceptance time: ids are
     * given in the order events are accepted, so the purge walks the events by id, {@value #PURGE_PAGE}
     * at a time, and stops at the first one accepted within the retention. One stamped later than
     * now (its instance's clock ran ahead) is kept but does not stop the walk.
     */
    public int purge() {
        Instant now = clock.instant();
        Instant cutoff = now.minusSeconds(config.dedupeRetentionHours() * 3600L);
        int purged = 0;
        long after = 0;
        while (true) {
            List<Instant> accepted = new java.util.ArrayList<>();
            List<Long> ids = new java.util.ArrayList<>();
            db.sql("SELECT id, accepted_at FROM inbound_events WHERE id > ? ORDER BY id LIMIT ?").params(after, PURGE_PAGE).query(rs -> {
                ids.add(rs.getLong("id"));
                accepted.add(Timestamps.instant(rs, "accepted_at"));
            });
            int walked = 0;
            while (walked < ids.size() && (accepted.get(walked).isBefore(cutoff) || accepted.get(walked).isAfter(now))) {
                walked++;
            }
            if (walked > 0) {
                long last = ids.get(walked - 1);
                purged += db.sql("DELETE FROM inbound_events WHERE id > ? AND id <= ? AND accepted_at < ? "
                        + "AND NOT EXISTS (SELECT 1 FROM inbox_claims c WHERE c.event_id = inbound_events.id)")
                        .params(after, last, Timestamps.of(cutoff)).update();
                after = last;
            }
            if (walked < PURGE_PAGE) {
                return purged;
            }
        }
    }

    /** Turns an exchange whose body is a {@link Pending} (from {@link #claimExpired}) into the accepted event it stands for. */
    public void resume(Exchange exchange) {
        fill(exchange.getMessage(), exchange.getMessage().getBody(Pending.class));
    }

    /**
     * Puts a pending event on a message as the flow expects it, with no header but these: a webhook
     * request's headers are the caller's, and one named like a flow header (larkwayExpertId,
     * larkwayTriggerId, ...) must not steer dispatch.
     */
    public static void fill(Message out, Pending p) {
        out.removeHeaders("*");
        out.setHeader(FlowHeaders.INBOX_ID, p.id());
        out.setHeader(FlowHeaders.INTEGRATION_ID, p.integrationId());
        out.setHeader(FlowHeaders.EVENT_ID, p.eventId());
        out.setHeader(FlowHeaders.EVENT_TYPE, p.eventType());
        out.setHeader(FlowHeaders.MESSAGE_ID, p.messageId());
        out.setHeader(FlowHeaders.INBOX_CLAIMED_UNTIL, p.claimedUntil());
        out.setBody(p.payload());
    }

    /** An accepted event not yet handed on. */
    public record Pending(long id, String integrationId, String eventId, String eventType, String messageId, String payload, long claimedUntil) {
    }

}
