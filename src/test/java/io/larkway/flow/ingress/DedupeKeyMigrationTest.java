package io.larkway.flow.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * V19 on a database that already holds accepted events: each gets the one dedupe key the accept writes now, so a
 * redelivery of an event accepted before the upgrade is still a duplicate; an instance still on the previous version
 * cannot accept (its INSERT has no key) rather than accept what another instance has.
 */
class DedupeKeyMigrationTest {
    private static final String OLD_INSERT = "INSERT INTO inbound_events (integration_id, event_id, message_id, event_type, payload, "
            + "state, accepted_at) VALUES ('i1', ?, ?, 'im.message.receive_v1', '{}', 'done', CURRENT_TIMESTAMP)";

    @TempDir
    Path dir;

    @Test
    void eventsAcceptedBeforeTheUpgradeKeepTheirDedupe() throws SQLException {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        ds.setUser("sa");
        migrate(ds, "18");
        JdbcClient db = JdbcClient.create(ds);
        db.sql(OLD_INSERT).params("ev-message", "om-1").update();
        db.sql(OLD_INSERT).params("ev-no-message", null).update();

        migrate(ds, "19");

        assertThat(db.sql("SELECT dedupe_key FROM inbound_events ORDER BY id").query(String.class).list())
                .containsExactly(InboxWriter.dedupeKey("ev-message", "om-1"), InboxWriter.dedupeKey("ev-no-message", null))
                .containsExactly("m:om-1", "e:ev-no-message");
        String insert = "INSERT INTO inbound_events (integration_id, event_id, message_id, dedupe_key, event_type, payload, state, "
                + "accepted_at) VALUES ('i1', ?, ?, ?, 'im.message.receive_v1', '{}', 'accepted', CURRENT_TIMESTAMP)";
        for (List<String> again : List.of(List.of("ev-other", "om-1"), List.of("ev-no-message"))) {
            String messageId = again.size() > 1 ? again.get(1) : null;
            assertThatThrownBy(() -> db.sql(insert).params(again.get(0), messageId, InboxWriter.dedupeKey(again.get(0), messageId)).update())
                    .as("%s is a duplicate of an event accepted before the upgrade", again).isInstanceOf(DuplicateKeyException.class);
        }
        assertThatThrownBy(() -> db.sql(OLD_INSERT).params("ev-from-an-old-instance", "om-2").update())
                .as("an instance on the previous version").isInstanceOf(DataIntegrityViolationException.class)
                .isNotInstanceOf(DuplicateKeyException.class).hasMessageContaining("dedupe_key");
        assertThat(db.sql("SELECT COUNT(*) FROM inbound_events").query(Integer.class).single()).isEqualTo(2);
    }

    private static void migrate(JdbcDataSource ds, String version) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target(version).load().migrate();
    }
}
