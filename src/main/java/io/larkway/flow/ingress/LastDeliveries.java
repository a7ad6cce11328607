package io.larkway.flow.ingress;

import io.larkway.platform.Timestamps;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each integration's last accepted event, for Status: noted in memory at each accept and written to
 * {@code integration_deliveries} with the Status counters' flush, so Status shows the cluster's latest
 * across restarts and after the dedupe retention has purged the events. Another instance's latest shows
 * after its next flush; a crash loses at most one interval's (like the counters). An integration without a
 * row yet (its events all accepted by instances of the version before V17, during a rolling upgrade) is read
 * from its events, as before.
 */
@Component
public class LastDeliveries {
    private final JdbcClient db;
    private final TransactionTemplate transaction;
    /** Integration → its last accepted event on this instance not yet written. */
    private final Map<String, Instant> noted = new ConcurrentHashMap<>();

    public LastDeliveries(JdbcClient db, TransactionTemplate transaction) {
        this.db = db;
        this.transaction = transaction;
    }

    /** Notes an accepted event (the inbox's accept), to the millisecond the database keeps. */
    public void accepted(String integrationId, Instant at) {
        noted.merge(integrationId, at.truncatedTo(ChronoUnit.MILLIS), (a, b) -> a.isAfter(b) ? a : b);
    }

    /** The integration's last accepted event in the cluster, or null if none. */
    public Instant last(String integrationId) {
        // memory first: a flush writes before it forgets, so what this read misses the next one finds
        Instant mine = noted.get(integrationId);
        Instant stored = db.sql("SELECT last_accepted_at FROM integration_deliveries WHERE integration_id = ?").param(integrationId)
                .query((rs, n) -> Timestamps.instant(rs, "last_accepted_at")).optional()
                .orElseGet(() -> db.sql("SELECT MAX(accepted_at) AS last_accepted_at FROM inbound_events WHERE integration_id = ?")
                        .param(integrationId).query((rs, n) -> Timestamps.instant(rs, "last_accepted_at")).optional().orElse(null));
        return stored == null || mine != null && mine.isAfter(stored) ? mine : stored;
    }

    /**
     * Writes what was noted since the last flush: the existing rows in one transaction (one commit per round, not one
     * per integration), then an integration's first row on its own. What fails stays noted for the next flush.
     */
    public synchronized void flush() {
        // in one order: two instances flushing at once lock the same rows in the same order
        List<Map.Entry<String, Instant>> round = noted.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
        if (round.isEmpty()) {
            return;
        }
        Set<String> missing = transaction.execute(status ->
                round.stream().filter(e -> update(e.getKey(), e.getValue()) == 0).map(Map.Entry::getKey).collect(Collectors.toSet()));
        for (Map.Entry<String, Instant> e : round) {
            if (missing.contains(e.getKey())) {
                insert(e.getKey(), e.getValue());
            }
            // an accept since the round began stays noted
            noted.remove(e.getKey(), e.getValue());
        }
    }

    private void insert(String integrationId, Instant at) {
        try {
            // nothing to keep for an integration deleted meanwhile
            db.sql("INSERT INTO integration_deliveries (integration_id, last_accepted_at) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM integrations WHERE id = ?)")
                    .params(integrationId, Timestamps.of(at), integrationId).update();
        } catch (DuplicateKeyException raced) {
            // another instance wrote the row first
            update(integrationId, at);
        }
    }

    private int update(String integrationId, Instant at) {
        return db.sql("UPDATE integration_deliveries SET last_accepted_at = GREATEST(last_accepted_at, ?) WHERE integration_id = ?")
                .params(Timestamps.of(at), integrationId).update();
    }
}
