package io.larkway.ops;

import io.larkway.flow.ingress.LastDeliveries;
import io.larkway.platform.LarkwayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The Status counters of an integration, for the whole cluster and across restarts. Each instance
 * counts in its meters (also on {@code /actuator/prometheus}) and every {@code larkway.counters-flush-ms}
 * adds what it counted since its last flush to {@code integration_counters} (and each integration's last
 * accepted event to {@code integration_deliveries}, {@link LastDeliveries}); Status shows those
 * totals plus this instance's counts not yet added. Another instance's latest counts show after its
 * next flush; a crash loses at most the counts of one interval (and a connection lost just after a
 * commit may add one interval's counts twice).
 */
@Component
public class StatusCounters {
    private static final Logger LOG = LoggerFactory.getLogger(StatusCounters.class);
    /** Status counter → the meter it is counted in (tag {@code integration}); {@code dropped} has one per reason. */
    private static final Map<String, String> METERS = Map.of(
            "received", "larkway.events.received",
            "duplicates", "larkway.events.duplicates",
            "turns", "larkway.turns",
            "replies", "larkway.replies.sent",
            "replyFailures", "larkway.replies.failed",
            "apiCalls", "larkway.lark.calls",
            "unverified", "larkway.webhook.unverified",
            "turnsLimited", "larkway.turns.limited");
    private static final String DROPPED = "larkway.events.dropped";

    private final MeterRegistry meters;
    private final JdbcClient db;
    private final TransactionTemplate transaction;
    private final LastDeliveries deliveries;
    /** (integration, counter) → this instance's count already added to the table; guarded by {@code this}. */
    private final Map<Key, Long> flushed = new HashMap<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "status-counters");
        t.setDaemon(true);
        return t;
    });

    private record Key(String integrationId, String counter) {
    }

    public StatusCounters(MeterRegistry meters, JdbcClient db, TransactionTemplate transaction, LarkwayProperties props,
            LastDeliveries deliveries) {
        this.meters = meters;
        this.db = db;
        this.transaction = transaction;
        this.deliveries = deliveries;
        long every = props.countersFlushMs();
        if (every > 0) {
            flusher.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** A round that throws would end the schedule. */
    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("Could not add Status counters, will retry: {}", e.toString());
        }
    }

    /**
     * An integration's counters: {@code received, duplicates, dropped{reason: n}, turns, replies,
     * replyFailures, apiCalls, unverified, turnsLimited} (unverified: webhook posts refused before they proved a secret; turnsLimited:
     * messages that waited for the organisation's turn limit), each the cluster's total since the integration was created.
     */
    public synchronized Map<String, Object> totals(String integrationId) {
        Map<String, Long> all = new HashMap<>();
        db.sql("SELECT counter, total FROM integration_counters WHERE integration_id = ?").param(integrationId)
                .query((rs, n) -> all.put(rs.getString("counter"), rs.getLong("total"))).list();
        counted().forEach((key, count) -> {
            if (integrationId.equals(key.integrationId())) {
                all.merge(key.counter(), count - flushed.getOrDefault(key, 0L), Long::sum);
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Long> dropped = new TreeMap<>();
        all.forEach((counter, total) -> {
            if (counter.startsWith("dropped.")) {
                dropped.put(counter.substring("dropped.".length()), total);
            }
        });
        for (String counter : new String[] {"received", "duplicates", "dropped", "turns", "replies", "replyFailures", "apiCalls", "unverified", "turnsLimited"}) {
            out.put(counter, counter.equals("dropped") ? dropped : all.getOrDefault(counter, 0L));
        }
        return out;
    }

    /**
     * Adds this instance's counts since the last flush to the table, in one transaction, then writes the last
     * deliveries (also when the counts failed). A failure ends the round (a database that is down would make every counter wait for a connection,
     * and Status with them); what is not added yet is added at the next flush.
     */
    void flush() {
        try {
            addCounts();
        } finally {
            deliveries.flush();
        }
    }

    private synchronized void addCounts() {
        Map<Key, Long> counts = counted();
        // in one fixed order (integration, counter): two instances flushing at once lock the same rows in the same order
        Map<Key, Long> deltas = new TreeMap<>(Comparator.comparing(Key::integrationId, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
                .thenComparing(Key::counter));
        counts.forEach((key, count) -> {
            long delta = count - flushed.getOrDefault(key, 0L);
            if (delta != 0) {
                deltas.put(key, delta);
            }
        });
        if (deltas.isEmpty()) {
            return;
        }
        // the existing rows in one transaction: one commit per round, not one per (integration, counter)
        Set<Key> missing = transaction.execute(status -> {
            Set<Key> none = new LinkedHashSet<>();
            deltas.forEach((key, delta) -> {
                if (update(key, delta) == 0) {
                    none.add(key);
                }
            });
            return none;
        });
        deltas.keySet().stream().filter(key -> !missing.contains(key)).forEach(key -> flushed.put(key, counts.get(key)));
        // a counter's first count: its row is inserted on its own (a race with another instance is a duplicate key)
        for (Key key : missing) {
            insert(key, deltas.get(key));
            flushed.put(key, counts.get(key));
        }
    }

    private void insert(Key key, long delta) {
        try {
            // nothing to keep for an integration deleted meanwhile
            db.sql("INSERT INTO integration_counters (integration_id, counter, total) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM integrations WHERE id = ?)")
                    .params(key.integrationId(), key.counter(), delta, key.integrationId()).update();
        } catch (DuplicateKeyException raced) {
            // another instance added the row first
            update(key, delta);
        }
    }

    private int update(Key key, long delta) {
        return db.sql("UPDATE integration_counters SET total = total + ? WHERE integration_id = ? AND counter = ?")
                .params(delta, key.integrationId(), key.counter()).update();
    }

    /** This instance's counts since its start, per (integration, counter). */
    private Map<Key, Long> counted() {
        Map<Key, Long> counts = new HashMap<>();
        METERS.forEach((counter, meter) -> meters.find(meter).counters()
                .forEach(c -> counts.merge(new Key(c.getId().getTag("integration"), counter), (long) c.count(), Long::sum)));
        meters.find(DROPPED).counters()
                .forEach(c -> counts.merge(new Key(c.getId().getTag("integration"), "dropped." + c.getId().getTag("reason")), (long) c.count(), Long::sum));
        return counts;
    }

    /** The last counts reach the table before the database closes (this bean goes before the pool). */
    @jakarta.annotation.PreDestroy
    void close() throws InterruptedException {
        flusher.shutdown();
        flusher.awaitTermination(10, TimeUnit.SECONDS);
        flushQuietly();
    }
}
