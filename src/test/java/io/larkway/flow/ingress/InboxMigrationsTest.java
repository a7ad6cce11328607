package io.larkway.flow.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.larkway.LarkwayTest;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The inbox's migrations on a database that already holds accepted events (in a schema of its own, on the suite's
 * database: H2, or PostgreSQL in CI's second run). V19: each event gets the one dedupe key the accept writes now, so a
 * redelivery of an event accepted before the upgrade is still a duplicate; an instance still on the previous version
 * cannot accept (its INSERT has no key) rather than accept what another instance has. V20: the unfinished events keep
 * their claims (instance, lease, attempts) in inbox_claims, the finished ones have none, and an instance still on the
 * previous version cannot accept.
 */
class InboxMigrationsTest extends LarkwayTest {
    @Autowired
    DataSource dataSource;
    @Autowired
    JdbcClient db;

    final String schema = "inbox_" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void dropSchema() {
        db.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE").update();
    }

    @Test
    void eventsAcceptedBeforeTheUpgradeKeepTheirDedupe() {
        String oldInsert = "INSERT INTO " + schema + ".inbound_events (integration_id, event_id, message_id, event_type, payload, "
                + "state, accepted_at) VALUES ('i1', ?, ?, 'im.message.receive_v1', '{}', 'done', CURRENT_TIMESTAMP)";
        migrate("18");
        db.sql(oldInsert).params("ev-message", "om-1").update();
        db.sql(oldInsert).params("ev-no-message", null).update();

        migrate("19");

        assertThat(db.sql("SELECT dedupe_key FROM " + schema + ".inbound_events ORDER BY id").query(String.class).list())
                .containsExactly(InboxWriter.dedupeKey("ev-message", "om-1"), InboxWriter.dedupeKey("ev-no-message", null))
                .containsExactly("m:om-1", "e:ev-no-message");
        String insert = "INSERT INTO " + schema + ".inbound_events (integration_id, event_id, message_id, dedupe_key, event_type, "
                + "payload, state, accepted_at) VALUES ('i1', ?, ?, ?, 'im.message.receive_v1', '{}', 'accepted', CURRENT_TIMESTAMP)";
        for (List<String> again : List.of(List.of("ev-other", "om-1"), List.of("ev-no-message"))) {
            String messageId = again.size() > 1 ? again.get(1) : null;
            assertThatThrownBy(() -> db.sql(insert).params(again.get(0), messageId, InboxWriter.dedupeKey(again.get(0), messageId)).update())
                    .as("%s is a duplicate of an event accepted before the upgrade", again).isInstanceOf(DuplicateKeyException.class);
        }
        assertThatThrownBy(() -> db.sql(oldInsert).params("ev-from-an-old-instance", "om-2").update())
                .as("an instance on the previous version").isInstanceOf(DataIntegrityViolationException.class)
                .isNotInstanceOf(DuplicateKeyException.class).hasMessageContaining("dedupe_key");
        assertThat(db.sql("SELECT COUNT(*) FROM " + schema + ".inbound_events").query(Integer.class).single()).isEqualTo(2);
    }

    @Test
    void unfinishedEventsKeepTheirClaimsFinishedOnesHaveNone() {
        migrate("19");
        String oldInsert = "INSERT INTO " + schema + ".inbound_events (integration_id, event_id, dedupe_key, event_type, payload, state, "
                + "accepted_at, claimed_by, claimed_until, attempts) VALUES ('i1', ?, ?, 'im.message.receive_v1', '{}', ?, CURRENT_TIMESTAMP, ?, ?, ?)";
        java.sql.Timestamp lease = java.sql.Timestamp.from(java.time.Instant.parse("2026-12-04T10:00:00Z"));
        for (String state : List.of("done", "accepted", "dispatching", "failed")) {
            db.sql(oldInsert).params("ev-" + state, "e:ev-" + state, state, "instance-" + state, lease, state.length()).update();
        }

        migrate("20");

        assertThat(db.sql("SELECT e.event_id, c.claimed_by, c.claimed_until, c.attempts FROM " + schema + ".inbox_claims c JOIN " + schema
                + ".inbound_events e ON e.id = c.event_id ORDER BY e.event_id").query((rs, n) -> List.of(rs.getString(1), rs.getString(2),
                        rs.getTimestamp(3).toInstant().toString(), rs.getInt(4))).list())
                .containsExactly(List.of("ev-accepted", "instance-accepted", "2026-12-04T10:00:00Z", 8),
                        List.of("ev-dispatching", "instance-dispatching", "2026-12-04T10:00:00Z", 11));
        assertThat(db.sql("SELECT COUNT(*) FROM " + schema + ".inbound_events").query(Integer.class).single()).as("every event stays a dedupe record")
                .isEqualTo(4);
        assertThatThrownBy(() -> db.sql(oldInsert).params("ev-from-an-old-instance", "e:ev-from-an-old-instance", "accepted", "old", lease, 0).update())
                .as("an instance on the previous version").isInstanceOf(org.springframework.dao.DataAccessException.class);
        assertThat(db.sql("SELECT COUNT(*) FROM " + schema + ".inbound_events").query(Integer.class).single()).isEqualTo(4);
    }

    private void migrate(String version) {
        Flyway.configure().dataSource(dataSource).schemas(schema).locations("classpath:db/migration").target(version).load().migrate();
    }
}
