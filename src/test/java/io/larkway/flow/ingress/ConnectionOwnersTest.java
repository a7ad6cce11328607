package io.larkway.flow.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.LarkwayTest;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import io.larkway.platform.InstanceId;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The long-connection states every instance publishes (connection_owners) cost one commit per
 * round, not one per connection (with 1 000 idle connections each round was 1 000 H2 file writes),
 * and an unchanged round writes one heartbeat row, not every row.
 */
class ConnectionOwnersTest extends LarkwayTest {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);
    static final int CONNECTIONS = 20;

    @Autowired
    ConnectionOwners owners;
    @Autowired
    ConnectionSupervisor supervisor;
    @Autowired
    JdbcClient db;
    @Autowired
    InstanceId instanceId;

    @Test
    void aRoundWritesOnlyChangedStatesInOneCommitAndKeepsEveryRowFresh() {
        String key = newOrg();
        List<String> ids = new ArrayList<>();
        List<LarkEmulator.App> apps = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            LarkEmulator.App app = LARK.newApp();
            apps.add(app);
            ids.add(newIntegration(key, app, "long_connection", null).path("id").asText());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> apps.stream().allMatch(a -> WS.open(a.appId()).size() == 1)
                && supervisor.statuses().stream().filter(st -> ids.contains(st.integrationId())).filter(st -> st.state().name().equals("connected"))
                        .count() == CONNECTIONS);
        clock.advance(Duration.ofMillis(3 * props.longConnection().syncIntervalMs() + 1)); // a round after a pause here: every row
        owners.publish();

        clock.advance(Duration.ofSeconds(1));
        OffsetDateTime round = OffsetDateTime.now(clock);
        Long writesBefore = fileWrites();
        owners.publish();
        if (writesBefore != null) { // H2: the round is one commit (before: one per connection)
            assertThat(fileWrites() - writesBefore).isLessThan(CONNECTIONS / 4);
        }
        for (String id : ids) { // no row rewritten: the states are as they were, and the instance's heartbeat keeps them current
            assertThat(db.sql("SELECT state FROM connection_owners WHERE integration_id = ?").param(id).query(String.class).single()).isEqualTo("connected");
            assertThat(updatedAt(id)).isBefore(round.minusNanos(1_000_000));
        }
        assertThat(db.sql("SELECT updated_at FROM instance_heartbeats WHERE instance_id = ?").param(instanceId.toString())
                .query(OffsetDateTime.class).single()).isAfterOrEqualTo(round.minusNanos(1_000_000));

        // every row again once in REWRITE_ROUNDS rounds, so that no version of larkway purges them as a gone instance's
        long syncMs = props.longConnection().syncIntervalMs();
        for (int i = 1; i < ConnectionOwners.REWRITE_ROUNDS; i++) {
            clock.advance(Duration.ofMillis(syncMs));
            owners.publish();
        }
        assertThat(updatedAt(ids.get(1))).isBefore(round.minusNanos(1_000_000));
        clock.advance(Duration.ofMillis(syncMs));
        OffsetDateTime rewrite = OffsetDateTime.now(clock);
        owners.publish();
        assertThat(ids).allSatisfy(id -> assertThat(updatedAt(id)).isAfterOrEqualTo(rewrite.minusNanos(1_000_000)));

        // a changed state is still written: an operator's disconnect shows as idle after the next round
        supervisor.disconnect(ids.get(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            owners.publish();
            return db.sql("SELECT state FROM connection_owners WHERE integration_id = ?").param(ids.get(0)).query(String.class).single().equals("idle");
        });
        assertThat(db.sql("SELECT state FROM connection_owners WHERE integration_id = ?").param(ids.get(1)).query(String.class).single())
                .isEqualTo("connected");
    }

    @Test
    void anotherInstancesStatesAreListedWhileItsHeartbeatIsFreshAndPurgedLongAfter() {
        String integrationId = "int_owners_" + System.nanoTime();
        String other = "elsewhere:1:" + System.nanoTime();
        String earlier = "earlier-version:1:" + System.nanoTime(); // an instance of the version before heartbeats: no heartbeat row
        long freshMs = 3 * props.longConnection().syncIntervalMs();
        OffsetDateTime now = OffsetDateTime.now(clock);
        insertRow(integrationId, other, now.minusNanos(4 * freshMs * 1_000_000)); // unchanged for a while: current by its heartbeat
        db.sql("INSERT INTO instance_heartbeats (instance_id, updated_at) VALUES (?, ?)").params(other, now).update();
        insertRow(integrationId, earlier, now);
        assertThat(owners.others(integrationId, instanceId.toString())).extracting(o -> o.get("id")).containsExactlyInAnyOrder(other, earlier);
        assertThat(owners.others(integrationId, other)).extracting(o -> o.get("id")).containsExactly(earlier); // an instance's own rows are not "others"

        // both stop: the heartbeat and the row age out, then both instances' rows are purged by this one
        clock.advance(Duration.ofMillis(freshMs + 1));
        assertThat(owners.others(integrationId, instanceId.toString())).isEmpty();
        owners.publish();
        assertThat(db.sql("SELECT COUNT(*) FROM connection_owners WHERE integration_id = ?").param(integrationId).query(Long.class).single()).isEqualTo(2);
        clock.advance(Duration.ofMillis(10 * freshMs));
        owners.publish();
        assertThat(db.sql("SELECT COUNT(*) FROM connection_owners WHERE integration_id = ?").param(integrationId).query(Long.class).single()).isZero();
        assertThat(db.sql("SELECT COUNT(*) FROM instance_heartbeats WHERE instance_id = ?").param(other).query(Long.class).single()).isZero();
    }

    private void insertRow(String integrationId, String instance, OffsetDateTime updatedAt) {
        db.sql("INSERT INTO connection_owners (integration_id, instance_id, state, connected_since, last_error, updated_at) VALUES (?, ?, 'connected', ?, NULL, ?)")
                .params(integrationId, instance, updatedAt, updatedAt).update();
    }

    private OffsetDateTime updatedAt(String integrationId) {
        return db.sql("SELECT updated_at FROM connection_owners WHERE integration_id = ?").param(integrationId).query(OffsetDateTime.class).single();
    }

    /** H2's count of file writes, or null on another database. */
    private Long fileWrites() {
        try {
            return Long.valueOf(db.sql("SELECT setting_value FROM information_schema.settings WHERE setting_name = 'info.FILE_WRITE'")
                    .query(String.class).single());
        } catch (RuntimeException notH2) {
            return null;
        }
    }
}
