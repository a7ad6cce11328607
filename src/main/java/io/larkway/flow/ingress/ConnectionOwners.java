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
 * Every instance's long-connection states in the shared database, so the Status tab lists all owner instances.
 * A row per (integration, instance) is written when its state changes, and every row of an instance again every
 * {@link #REWRITE_ROUNDS} rounds; in between, the instance's heartbeat row ({@code instance_heartbeats}) says
 * its rows are current. Rows of an instance without a heartbeat (an instance of an earlier version, during a
 * rolling upgrade) are current while their own {@code updated_at} is.
 */
@Component
public class ConnectionOwners {
    /**
     * Every row is rewritten at least this often (in sync rounds): rows not written for ten freshness windows
     * (30 rounds) are purged as those of a gone instance, by this version and by the earlier one, which knew
     * no heartbeat.
     */
    static final int REWRITE_ROUNDS = 15;

    private final ConnectionSupervisor supervisor;
    private final JdbcClient db;
    private final Clock clock;
    private final long syncMs;
    private final long freshMs;
    private final TransactionTemplate transaction;
    private final String instanceId;
    /** The state of each (integration, instance) row as this instance last wrote it and committed. */
    private volatile Map<List<String>, List<Object>> written = Map.of();
    /** When this instance's last round that wrote every row, and its last round, committed. */
    private Instant lastFullRound = Instant.MIN;
    private Instant lastRound = Instant.MIN;

    public ConnectionOwners(ConnectionSupervisor supervisor, JdbcClient db, Clock clock, LarkwayProperties props,
            PlatformTransactionManager transactions, InstanceId instanceId) {
        this.supervisor = supervisor;
        this.instanceId = instanceId.toString();
        this.db = db;
        this.transaction = new TransactionTemplate(transactions);
        this.clock = clock;
        this.syncMs = props.longConnection().syncIntervalMs();
        this.freshMs = 3 * syncMs;
    }

    /**
     * Writes this instance's connection states (called by the long-connection-sync route), in one
     * transaction: a row only where its state changed since the last round, then this instance's
     * heartbeat. With 1 000 idle connections this was 1 000 commits every sync interval, then one
     * UPDATE of 1 000 rows; now it is one row, and every row once in {@link #REWRITE_ROUNDS} rounds,
     * or at once after a pause here longer than the freshness window (its rows may have gone stale or
     * been purged meanwhile).
     */
    public synchronized void publish() {
        Instant now = clock.instant();
        boolean full = now.isAfter(lastFullRound.plusMillis(REWRITE_ROUNDS * syncMs - syncMs / 2)) || now.isAfter(lastRound.plusMillis(freshMs));
        Map<List<String>, List<Object>> before = full ? Map.of() : written;
        java.util.Collection<ConnectionStatus> statuses = supervisor.statuses();
        Map<List<String>, List<Object>> states = new HashMap<>();
        transaction.executeWithoutResult(t -> {
            for (ConnectionStatus s : statuses) {
                List<String> key = List.of(s.integrationId(), s.instanceId());
                List<Object> state = Arrays.asList(s.state().name(), Timestamps.of(s.connectedSince()), truncate(s.lastError()));
                states.put(key, state);
                if (state.equals(before.get(key))) {
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
            if (!states.isEmpty() && db.sql("UPDATE instance_heartbeats SET updated_at = ? WHERE instance_id = ?").params(Timestamps.of(now), instanceId).update() == 0) {
                db.sql("INSERT INTO instance_heartbeats (instance_id, updated_at) VALUES (?, ?)").params(instanceId, Timestamps.of(now)).update();
            }
            Object purge = Timestamps.of(now.minusMillis(10 * freshMs));
            db.sql("DELETE FROM connection_owners WHERE updated_at < ?").param(purge).update();
            db.sql("DELETE FROM instance_heartbeats WHERE updated_at < ?").param(purge).update();
        });
        // only once committed (a failed round throws and counts for nothing: the next one compares with the last committed states)
        written = states;
        lastRound = now;
        if (full) {
            lastFullRound = now;
        }
    }

    /** The other instances' recent states for an integration: {@code [{id, state, connectedSince}]}. */
    public List<Map<String, Object>> others(String integrationId, String thisInstance) {
        return db.sql("""
                SELECT o.instance_id, o.state, o.connected_since FROM connection_owners o LEFT JOIN instance_heartbeats h ON h.instance_id = o.instance_id
                WHERE o.integration_id = ? AND o.instance_id <> ? AND COALESCE(h.updated_at, o.updated_at) > ? ORDER BY o.instance_id""")
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
