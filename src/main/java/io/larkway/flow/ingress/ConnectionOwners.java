package io.larkway.flow.ingress;

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

/** Every instance's long-connection states in the shared database, so the Status tab lists all owner instances. */
@Component
public class ConnectionOwners {
    private final ConnectionSupervisor supervisor;
    private final JdbcClient db;
    private final Clock clock;
    private final long freshMs;
    private final TransactionTemplate transaction;
    /** The state of each (integration, instance) row as this instance last wrote it (a failed round writes every row again next time). */
    private volatile Map<List<String>, List<Object>> written = Map.of();

    public ConnectionOwners(ConnectionSupervisor supervisor, JdbcClient db, Clock clock, LarkwayProperties props,
            PlatformTransactionManager transactions) {
        this.supervisor = supervisor;
        this.db = db;
        this.transaction = new TransactionTemplate(transactions);
        this.clock = clock;
        this.freshMs = 3 * props.longConnection().syncIntervalMs();
    }

    /**
     * Writes this instance's connection states (called by the long-connection-sync route), in one
     * transaction: a row only where its state changed since the last round, then one UPDATE that marks
     * all of this instance's rows fresh. With 1 000 idle connections this was 1 000 commits (1 000
     * H2 file writes) every sync interval, most of larkway's idle CPU.
     */
    public synchronized void publish() {
        Instant now = clock.instant();
        java.util.Collection<ConnectionStatus> statuses = supervisor.statuses();
        Map<List<String>, List<Object>> states = new HashMap<>();
        Boolean allFresh = transaction.execute(t -> {
            for (ConnectionStatus s : statuses) {
                List<String> key = List.of(s.integrationId(), s.instanceId());
                List<Object> state = Arrays.asList(s.state().name(), Timestamps.of(s.connectedSince()), truncate(s.lastError()));
                states.put(key, state);
                if (state.equals(written.get(key))) {
                    continue;
                }
                Object[] values = {state.get(0), state.get(1), state.get(2), Timestamps.of(now), s.integrationId(), s.instanceId()};
                if (db.sql("UPDATE connection_owners SET state = ?, connected_since = ?, last_error = ?, updated_at = ? WHERE integration_id = ? AND instance_id = ?")
                        .params(values).update() == 0) {
                    db.sql("INSERT INTO connection_owners (state, connected_since, last_error, updated_at, integration_id, instance_id) VALUES (?, ?, ?, ?, ?, ?)")
                            .params(values).update();
                }
            }
            written.keySet().stream().filter(key -> !states.containsKey(key)).forEach(gone ->
                    db.sql("DELETE FROM connection_owners WHERE integration_id = ? AND instance_id = ?").params(gone.get(0), gone.get(1)).update());
            int fresh = states.keySet().stream().map(key -> key.get(1)).distinct().mapToInt(instance ->
                    db.sql("UPDATE connection_owners SET updated_at = ? WHERE instance_id = ?").params(Timestamps.of(now), instance).update()).sum();
            db.sql("DELETE FROM connection_owners WHERE updated_at < ?").param(Timestamps.of(now.minusMillis(10 * freshMs))).update();
            return fresh == states.size();
        });
        // only once committed; a row gone meanwhile (purged by another instance after a long pause here): every row again next round
        written = Boolean.TRUE.equals(allFresh) ? states : Map.of();
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
