package io.larkway.platform;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The last errors of each integration (ingress, dispatch, expert, reply), persisted so they survive a restart. */
@Component
public class RecentErrors {
    public static final int KEEP = 50;
    private final JdbcClient db;
    private final Clock clock;

    public RecentErrors(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void record(String integrationId, String stage, String message, String messageId) {
        if (integrationId == null) {
            return;
        }
        String text = message == null ? "unknown error" : message.length() > 2000 ? message.substring(0, 2000) : message;
        db.sql("INSERT INTO recent_errors (integration_id, at, stage, message, message_id) VALUES (?, ?, ?, ?, ?)")
                .params(integrationId, Timestamps.of(clock.instant()), stage, text, messageId).update();
        // keep the newest KEEP rows per integration
        db.sql("DELETE FROM recent_errors WHERE integration_id = ? AND id < (SELECT MIN(id) FROM "
                + "(SELECT id FROM recent_errors WHERE integration_id = ? ORDER BY id DESC LIMIT " + KEEP + ") newest)")
                .params(integrationId, integrationId).update();
    }

    /** Newest first: {@code [{at, stage, message, messageId}]}. */
    public List<Map<String, Object>> list(String integrationId) {
        return db.sql("SELECT at, stage, message, message_id FROM recent_errors WHERE integration_id = ? ORDER BY id DESC LIMIT " + KEEP)
                .param(integrationId).query((rs, n) -> {
                    Map<String, Object> e = new LinkedHashMap<>();
                    Instant at = Timestamps.instant(rs, "at");
                    e.put("at", at);
                    e.put("stage", rs.getString("stage"));
                    e.put("message", rs.getString("message"));
                    e.put("messageId", rs.getString("message_id"));
                    return e;
                }).list();
    }
}
