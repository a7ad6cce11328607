package io.larkway.flow.ingress;

import io.larkway.platform.LarkwayProperties;
import io.larkway.camel.lark.ws.ConnectionStatus;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Every instance's long-connection states in the shared database, so the Status tab lists all owner instances. */
@Component
public class ConnectionOwners {
    private final ConnectionSupervisor supervisor;
    private final JdbcClient db;
    private final Clock clock;
    private final long freshMs;

    public ConnectionOwners(ConnectionSupervisor supervisor, JdbcClient db, Clock clock, LarkwayProperties props) {
        this.supervisor = supervisor;
        this.db = db;
        this.clock = clock;
        this.freshMs = 3 * props.longConnection().syncIntervalMs();
    }

    /** Writes this instance's connection states (called by the long-connection-sync route). */
    public void publish() {
        Instant now = clock.instant();
        for (ConnectionStatus s : supervisor.statuses()) {
            Object[] values = {s.state().name(), Timestamps.of(s.connectedSince()), truncate(s.lastError()), Timestamps.of(now), s.integrationId(),
                s.instanceId()};
            if (db.sql("UPDATE connection_owners SET state = ?, connected_since = ?, last_error = ?, updated_at = ? WHERE integration_id = ? AND instance_id = ?")
                    .params(values).update() == 0) {
                try {
                    db.sql("INSERT INTO connection_owners (state, connected_since, last_error, updated_at, integration_id, instance_id) VALUES (?, ?, ?, ?, ?, ?)")
                            .params(values).update();
                } catch (DuplicateKeyException raced) {
                    // written by this instance's previous tick a moment ago
                }
            }
        }
        db.sql("DELETE FROM connection_owners WHERE updated_at < ?").param(Timestamps.of(now.minusMillis(10 * freshMs))).update();
    }

    /** The other instances' recent states for an integration: {@code [{id, state, connectedSince}]}. */
    public List<Map<String, Object>> others(String integrationId, String thisInstance) {
        return db.sql("SELECT instance_id, state, connected_since FROM connection_owners WHERE integration_id = ? AND instance_id <> ? AND updated_at > ? ORDER BY instance_id")
                .params(integrationId, thisInstance, Timestamps.of(clock.instant().minusMillis(freshMs))).query((rs, n) -> {
                    Map<String, Object> i = new LinkedHashMap<>();
                    i.put("id", rs.getString("instance_id"));
                    i.put("state", rs.getString("state"));
                    i.put("connectedSince", Timestamps.instant(rs, "connected_since"));
                    return i;
                }).list();
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 2000);
    }
}
