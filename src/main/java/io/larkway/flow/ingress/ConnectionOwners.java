package io.larkway.flow.ingress;

import io.larkway.platform.InstanceId;
import io.larkway.platform.LarkwayProperties;
import io.larkway.camel.lark.ws.ConnectionStatus;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.platform.Timestamps;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Every instance's long-connection states in the shared database, so the Status tab lists all owner instances: a row
 * per (integration, instance) written when its state changes, current while its instance's heartbeat is.
 */
@Component
public class ConnectionOwners {
    private final ConnectionSupervisor supervisor;
    private final JdbcClient db;
    private final Clock clock;
    private final long freshMs;
    private final TransactionTemplate transaction;
    private final String instanceId;
    /** The state of each (integration, instance) row as this instance last wrote it (a failed round writes every row again next time). */
    private volatile Map<List<String>, List<Object>> written = Map.of();

    public ConnectionOwners(ConnectionSupervisor supervisor, JdbcClient db, Clock clock, LarkwayProperties props,
            PlatformTransactionManager transactions, InstanceId instanceId) {
        this.supervisor = supervisor;
        this.instanceId = instanceId.toString();
        this.db = db;
        this.transaction = new TransactionTemplate(transactions);
        this.clock = clock;
        this.freshMs = 3 * props.longConnection().syncIntervalMs();
    }

    /**
     * Writes this instance's connection states (called by the long-connection-sync route), in one
     * transaction: a row only where its state changed since the last round, then this instance's
     * heartbeat, which keeps all its rows current. With 1 000 idle connections this was 1 000 commits
     * every sync interval, then one UPDATE of 1 000 rows; now it is one row.
     */
    public synchronized void publish() {
        Instant now = clock.instant();
        java.util.Collection<ConnectionStatus> statuses = supervisor.statuses();
        Map<List<String>, List<Object>> states = new HashMap<>();
        Boolean complete = transaction.execute(t -> {
            int writes = 0;
            for (ConnectionStatus s : statuses) {
                List<String> key = List.of(s.integrationId(), s.instanceId());
                List<Object> state = Arrays.asList(s.state().name(), Timestamps.of(s.connectedSince()), truncate(s.lastError()));
                states.put(key, state);
                if (state.equals(written.get(key))) {
                    continue;
                }
                writes++;
                Object[] values = {state.get(0), state.get(1), state.get(2), Timestamps.of(now), s.integrationId(), s.instanceId()};
                if (db.sql("UPDATE connection_owners SET state = ?, connected_since = ?, last_error = ?, updated_at = ? WHERE integration_id = ? AND instance_id = ?")
                        .params(values).update() == 0) {
                    db.sql("INSERT INTO connection_owners (state, connected_since, last_error, updated_at, integration_id, instance_id) VALUES (?, ?, ?, ?, ?, ?)")
                            .params(values).update();
                }
            }
            written.keySet().stream().filter(key -> !states.containsKey(key)).forEach(gone ->
                    db.sql("DELETE FROM connection_owners WHERE integration_id = ? AND instance_id = ?").params(gone.get(0), gone.get(1)).update());
            boolean known = db.sql("UPDATE instance_heartbeats SET updated_at = ? WHERE instance_id = ?").params(Timestamps.of(now), instanceId).update() == 1;
            if (!known) {
                db.sql("INSERT INTO instance_heartbeats (instance_id, updated_at) VALUES (?, ?)").params(instanceId, Timestamps.of(now)).update();
            }
            Object gone = Timestamps.of(now.minusMillis(10 * freshMs));
            db.sql("DELETE FROM connection_owners WHERE instance_id NOT IN (SELECT instance_id FROM instance_heartbeats WHERE updated_at >= ?)")
                    .param(gone).update();
            db.sql("DELETE FROM instance_heartbeats WHERE updated_at < ?").param(gone).update();
            // without a heartbeat another instance may have purged this one's rows (after a long pause here)
            return known || writes == states.size();
        });
        // only once committed; rows possibly purged meanwhile: every row again next round
        written = Boolean.TRUE.equals(complete) ? states : Map.of();
    }

    /** The other instances' recent states for an integration: {@code [{id, state, connectedSince}]}. */
    public List<Map<String, Object>> others(String integrationId, String thisInstance) {
        return db.sql("""
                SELECT o.instance_id, o.state, o.connected_since FROM connection_owners o JOIN instance_heartbeats h ON h.instance_id = o.instance_id
                WHERE o.integration_id = ? AND o.instance_id <> ? AND h.updated_at > ? ORDER BY o.instance_id""")
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
