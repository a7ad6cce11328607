package io.larkway.flow.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
import io.larkway.platform.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** Group commit of the accept INSERT, on the real database (H2 by default, PostgreSQL in CI's second run). */
class InboxWriterTest extends LarkwayTest {
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TransactionTemplate transaction;
    @Autowired
    JdbcClient db;

    final ExecutorService threads = Executors.newCachedThreadPool();
    final String integration = "iw-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    InboxWriter.Row row(String eventId) {
        return withMessage(eventId, "m-" + eventId);
    }

    InboxWriter.Row withMessage(String eventId, String messageId) {
        Instant now = Instant.now();
        // claimed far ahead: the recovery sweep leaves these rows alone
        return new InboxWriter.Row(integration, eventId, messageId, "im.message.receive_v1", Timestamps.of(now), "{}", Timestamps.of(now),
                "test", Timestamps.of(now.plusSeconds(86_400)));
    }

    /** Starts one insert per row while the writer is busy, then lets it write: they all go in the next batch. */
    List<Future<Long>> insertTogether(InboxWriter writer, List<InboxWriter.Row> rows) throws Exception {
        synchronized (writer) {
            writer.writing = true; // as if another batch were being written
        }
        List<Future<Long>> results = new ArrayList<>();
        try {
            for (InboxWriter.Row r : rows) {
                results.add(threads.submit(() -> writer.insert(r)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (writer.waiting() < rows.size() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(writer.waiting()).isEqualTo(rows.size());
        } finally {
            synchronized (writer) {
                writer.writing = false;
                writer.notifyAll();
            }
        }
        return results;
    }

    @Test
    void eventsArrivingTogetherShareOneCommitAndEachGetsItsOwnRow() throws Exception {
        var batches = DistributionSummary.builder("batch").register(new SimpleMeterRegistry());
        InboxWriter writer = new InboxWriter(jdbc, transaction, batches);
        List<InboxWriter.Row> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rows.add(row("e" + i));
        }
        List<Future<Long>> results = insertTogether(writer, rows);
        var ids = new HashSet<Long>();
        for (int i = 0; i < rows.size(); i++) {
            long id = results.get(i).get(10, TimeUnit.SECONDS);
            assertThat(id).isPositive();
            ids.add(id);
            // the id a caller got is the row of its own event
            assertThat(db.sql("SELECT event_id FROM inbound_events WHERE id = ?").param(id).query(String.class).single()).isEqualTo("e" + i);
        }
        assertThat(ids).hasSize(20);
        assertThat(claims()).as("each event's claim, in the same transaction").isEqualTo(20);
        assertThat(batches.count()).as("one transaction, not twenty (a group that fails is written again row by row)").isOne();
        assertThat(batches.totalAmount()).isEqualTo(20);

        // a lone event afterwards is written on its own, at once
        assertThat(writer.insert(row("lone"))).isPositive();
        assertThat(batches.count()).isEqualTo(2);
        assertThat(batches.totalAmount()).isEqualTo(21);
    }

    @Test
    void aDuplicateOrABadRowInABatchAffectsOnlyItsOwnEvent() throws Exception {
        var batches = DistributionSummary.builder("batch").register(new SimpleMeterRegistry());
        InboxWriter writer = new InboxWriter(jdbc, transaction, batches);
        assertThat(writer.insert(row("seen-before"))).isPositive();
        List<InboxWriter.Row> rows = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rows.add(row("twice")); // the same event five times in one batch
        }
        rows.add(row("seen-before"));
        rows.add(row("x".repeat(300))); // longer than event_id's 200 characters
        for (int i = 0; i < 5; i++) {
            rows.add(row("fine" + i));
        }
        List<Future<Long>> results = insertTogether(writer, rows);

        int accepted = 0;
        for (int i = 0; i < 5; i++) {
            accepted += results.get(i).get(10, TimeUnit.SECONDS) > 0 ? 1 : 0;
        }
        assertThat(accepted).as("the same event five times: accepted once").isOne();
        assertThat(results.get(5).get(10, TimeUnit.SECONDS)).as("already in the table: a duplicate").isZero();
        try {
            results.get(6).get(10, TimeUnit.SECONDS);
            throw new AssertionError("an over-long event id was accepted");
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(DataIntegrityViolationException.class);
        }
        for (int i = 7; i < 12; i++) {
            long id = results.get(i).get(10, TimeUnit.SECONDS);
            assertThat(db.sql("SELECT event_id FROM inbound_events WHERE id = ?").param(id).query(String.class).single()).isEqualTo("fine" + (i - 7));
        }
        assertThat(db.sql("SELECT COUNT(*) FROM inbound_events WHERE integration_id = ?").param(integration).query(Integer.class).single())
                .isEqualTo(1 + 1 + 5);
        assertThat(claims()).as("a claim for each event accepted, none left by the group rolled back or by a duplicate").isEqualTo(1 + 1 + 5);
        assertThat(batches.count()).as("the failed group rolled back, then one transaction per event").isEqualTo(1 + rows.size());
    }

    @Test
    void anEventIsADuplicateByItsMessageElseByItsEventIdAndTheTableKeepsOneKeyForIt() {
        InboxWriter writer = new InboxWriter(jdbc, transaction, DistributionSummary.builder("batch").register(new SimpleMeterRegistry()));
        assertThat(writer.insert(row("first"))).isPositive();
        assertThat(writer.insert(withMessage("another event id", "m-first"))).as("its message under another event id").isZero();
        assertThat(writer.insert(withMessage("joined", null))).as("an event without a message").isPositive();
        assertThat(writer.insert(withMessage("joined", null))).as("the same event again").isZero();
        assertThat(writer.insert(withMessage("m-joined", null))).as("an event id that is another event's message id").isPositive();
        assertThat(writer.insert(withMessage("yet another", "joined"))).as("a message id that is another event's event id").isPositive();
        // the one case the two keys of before told apart, and Lark never sends: an event id again with another message
        assertThat(writer.insert(withMessage("first", "m-other"))).as("an event id again, with another message").isPositive();

        // each accept maintains one index with random keys, not two (what V19 took out of every accept and done mark)
        assertThat(db.sql("SELECT COUNT(*) FROM information_schema.table_constraints WHERE LOWER(table_name) = 'inbound_events' "
                + "AND constraint_type = 'UNIQUE' AND table_schema = CURRENT_SCHEMA").query(Integer.class).single()).isOne();
    }

    /** Claims of this test's integration: one per accepted event, until the inbox has handed it on. */
    private int claims() {
        return db.sql("SELECT COUNT(*) FROM inbox_claims c JOIN inbound_events e ON e.id = c.event_id WHERE e.integration_id = ?").param(integration)
                .query(Integer.class).single();
    }
}
