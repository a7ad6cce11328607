package io.larkway.flow.reply;

import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Whether an integration's answers get out: the outcome of its last reply ({@code ok} or
 * {@code failing} with Lark's reason), kept in {@code reply_outcomes} by whichever instance sent it,
 * so Status and health read the same on every instance. A later successful reply clears a failure.
 */
@Component
public class ReplyOutcomes {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyOutcomes.class);
    private static final int MAX_REASON = 2000;
    /**
     * A success is written at most this often per integration while nothing failed in between (one
     * row write per reply was a commit per message): Status's lastSentAt lags by up to this much, and
     * a failure recorded by another instance is cleared by this one's successes within it.
     */
    static final java.time.Duration OK_REWRITE = java.time.Duration.ofSeconds(10);

    /** {@code status}: {@code ok}, {@code failing} (lastError says why) or {@code idle} (no reply yet). */
    public record Outcome(String status, String lastError, Instant lastSentAt) {
        public boolean failing() {
            return "failing".equals(status);
        }
    }

    private static final Outcome IDLE = new Outcome("idle", null, null);

    private final JdbcClient db;
    private final Clock clock;
    /** When this instance last wrote {@code ok} for an integration (removed when it writes {@code failing}). */
    private final java.util.Map<String, Instant> okWritten = new java.util.concurrent.ConcurrentHashMap<>();

    public ReplyOutcomes(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Outcome of(String integrationId) {
        return db.sql("SELECT status, last_error, last_sent_at FROM reply_outcomes WHERE integration_id = ?").param(integrationId)
                .query((rs, n) -> new Outcome(rs.getString("status"), rs.getString("last_error"), Timestamps.instant(rs, "last_sent_at")))
                .optional().orElse(IDLE);
    }

    void sent(String integrationId) {
        Instant now = clock.instant();
        Instant last = integrationId == null ? null : okWritten.get(integrationId);
        if (last != null && now.isBefore(last.plus(OK_REWRITE)) && !now.isBefore(last)) {
            return;
        }
        if (record(integrationId, "UPDATE reply_outcomes SET status = 'ok', last_error = NULL, last_sent_at = ?, updated_at = ? WHERE integration_id = ?",
                "INSERT INTO reply_outcomes (integration_id, status, last_sent_at, updated_at) SELECT ?, 'ok', ?, ?",
                Timestamps.of(now), Timestamps.of(now))) {
            okWritten.put(integrationId, now);
        }
    }

    void failed(String integrationId, String reason) {
        String why = reason == null ? "unknown" : reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        Instant now = clock.instant();
        if (integrationId != null) {
            okWritten.remove(integrationId);
        }
        record(integrationId, "UPDATE reply_outcomes SET status = 'failing', last_error = ?, updated_at = ? WHERE integration_id = ?",
                "INSERT INTO reply_outcomes (integration_id, status, last_error, updated_at) SELECT ?, 'failing', ?, ?",
                why, Timestamps.of(now));
    }

    /**
     * Updates the integration's row, or adds it (only while the integration exists; another instance
     * may add it first). Never fails the reply it describes: a database hiccup is logged and the next
     * reply writes again. True when the row was written.
     */
    private boolean record(String integrationId, String update, String insert, Object first, Object second) {
        if (integrationId == null) {
            return false;
        }
        try {
            if (db.sql(update).params(first, second, integrationId).update() > 0) {
                return true;
            }
            try {
                return db.sql(insert + " WHERE EXISTS (SELECT 1 FROM integrations WHERE id = ?)").params(integrationId, first, second, integrationId).update() > 0;
            } catch (DuplicateKeyException raced) {
                return db.sql(update).params(first, second, integrationId).update() > 0;
            }
        } catch (DataAccessException e) {
            LOG.warn("Could not record the reply outcome integrationId={}: {}", integrationId, e.toString());
            return false;
        }
    }
}
