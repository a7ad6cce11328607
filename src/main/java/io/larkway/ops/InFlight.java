package io.larkway.ops;

import io.larkway.flow.FlowHeaders;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** What is in flight right now: open windows, turns in progress, waiting messages (the `lark` dev console). */
@Component
public class InFlight {
    private final JdbcAggregationRepository windows;
    private final CamelContext camel;
    private final JdbcClient db;
    private final Clock clock;
    private final int leaseSeconds;

    public InFlight(JdbcAggregationRepository windowRepository, CamelContext camel, JdbcClient db, Clock clock, LarkwayProperties props) {
        this.windows = windowRepository;
        this.camel = camel;
        this.db = db;
        this.clock = clock;
        this.leaseSeconds = props.conversation().turnLeaseSeconds();
    }

    /** Open windows: scope key, message count, milliseconds until the window closes. */
    public List<Map<String, Object>> windows() {
        List<Map<String, Object>> out = new ArrayList<>();
        long now = clock.millis();
        for (String key : windows.getKeys()) {
            Exchange e = windows.get(camel, key);
            if (e == null) {
                continue;
            }
            String ids = e.getMessage().getHeader(FlowHeaders.MESSAGE_IDS, "", String.class);
            long updated = e.getMessage().getHeader(FlowHeaders.WINDOW_UPDATED_AT, now, Long.class);
            long timeout = e.getMessage().getHeader(FlowHeaders.WINDOW_TIMEOUT_MS, 0L, Long.class);
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("scope", key);
            w.put("messages", ids.isEmpty() ? 0 : ids.split(",").length);
            w.put("closesInMs", Math.max(0, updated + timeout - now));
            out.add(w);
        }
        return out;
    }

    /** Turns in progress: session, scope, expert, elapsed milliseconds, messages waiting behind it. */
    public List<Map<String, Object>> turns() {
        Instant now = clock.instant();
        return db.sql("""
                SELECT s.id, s.integration_id, s.scope_key, s.expert_id, s.turn_until, s.turn_owner,
                  (SELECT COUNT(*) FROM waiting_messages w WHERE w.session_id = s.id) AS waiting
                FROM sessions s WHERE s.state = 'in_turn' AND s.turn_until > ? ORDER BY s.turn_until""")
                .param(Timestamps.of(now)).query((rs, n) -> {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("session", rs.getString("id"));
                    t.put("integrationId", rs.getString("integration_id"));
                    t.put("scope", rs.getString("scope_key"));
                    t.put("expertId", rs.getString("expert_id"));
                    Instant started = Timestamps.instant(rs, "turn_until").minusSeconds(leaseSeconds);
                    t.put("elapsedMs", Math.max(0, Duration.between(started, now).toMillis()));
                    t.put("instance", rs.getString("turn_owner"));
                    t.put("waiting", rs.getInt("waiting"));
                    return t;
                }).list();
    }
}
