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
 * V19 on a database that already holds accepted events (in a schema of its own, on the suite's database: H2, or
 * PostgreSQL in CI's second run): each gets the one dedupe key the accept writes now, so a redelivery of an event
 * accepted before the upgrade is still a duplicate; an instance still on the previous version cannot accept (its
 * INSERT has no key) rather than accept what another instance has.
 */
class DedupeKeyMigrationTest extends LarkwayTest {
    @Autowired
    DataSource dataSource;
    @Autowired
    JdbcClient db;

    final String schema = "v19_" + UUID.randomUUID().toString().substring(0, 8);

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

    private void migrate(String version) {
        Flyway.configure().dataSource(dataSource).schemas(schema).locations("classpath:db/migration").target(version).load().migrate();
    }
}
