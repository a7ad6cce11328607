package io.larkway.flow.ingress;

import io.micrometer.core.instrument.DistributionSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for the accept: events that arrive while a write is under way are written
 * together, in one transaction, by the first of their threads to see that write end; the others
 * wait for it, and every caller returns only once its own event is committed. One commit (one file
 * write on H2, one WAL flush on PostgreSQL) then serves many events, and a lone event is written
 * at once, as before. An event is two rows: the event in {@code inbound_events}, which is never
 * updated and stays as the dedupe record, and its claim in {@code inbox_claims}, which the inbox
 * deletes once the event is finished (V20).
 *
 * <p>A batch that fails (a duplicate, a value the table refuses) is rolled back and its events are
 * written one by one, so a duplicate or a bad row affects only its own event.
 */
final class InboxWriter {
    static final String INSERT = """
            INSERT INTO inbound_events (integration_id, event_id, message_id, dedupe_key, event_type, create_time, payload, accepted_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";
    static final String CLAIM = "INSERT INTO inbox_claims (event_id, claimed_by, claimed_until) VALUES (?, ?, ?)";

    /** One event to insert, with its claim; once written it has an id, or is a duplicate, or has a failure. */
    static final class Row {
        final Object[] values;
        final String claimedBy;
        final OffsetDateTime claimedUntil;
        long id;
        boolean duplicate;
        RuntimeException failure;

        Row(String integrationId, String eventId, String messageId, String eventType, OffsetDateTime createTime, String payload,
                OffsetDateTime acceptedAt, String claimedBy, OffsetDateTime claimedUntil) {
            values = new Object[] {integrationId, eventId, messageId, dedupeKey(eventId, messageId), eventType, createTime, payload,
                acceptedAt};
            this.claimedBy = claimedBy;
            this.claimedUntil = claimedUntil;
        }

        Object[] claim() {
            return new Object[] {id, claimedBy, claimedUntil};
        }
    }

    /**
     * What makes an event a duplicate within its integration (V19): its message, whatever event
     * brings it (a redelivery, the other ingress, another instance), else its event id.
     */
    static String dedupeKey(String eventId, String messageId) {
        return messageId == null ? "e:" + eventId : "m:" + messageId;
    }

    private static final class Batch {
        final List<Row> rows = new ArrayList<>();
        boolean written;
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    /** Events per accept transaction (a group that failed counts again as one transaction per event). */
    private final DistributionSummary batchSizes;
    /** Rows waiting for the next write; guarded by {@code this}. */
    private Batch open = new Batch();
    /** A batch is being written; guarded by {@code this} (package-private: tests set it to line up a batch). */
    boolean writing;

    InboxWriter(JdbcTemplate jdbc, TransactionTemplate transaction, DistributionSummary batchSizes) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.batchSizes = batchSizes;
    }

    /**
     * Inserts the row and returns its id once committed, {@code 0} if its event or message is
     * already in the table. Throws what the database threw for this row.
     */
    long insert(Row row) {
        Batch batch;
        boolean lead;
        synchronized (this) {
            batch = open;
            batch.rows.add(row);
            // while another batch is being written this one fills up; its first thread to get here afterwards writes it
            while (writing && !batch.written) {
                awaitWrite();
            }
            lead = !batch.written;
            if (lead) {
                writing = true;
                open = new Batch();
            }
        }
        if (lead) {
            try {
                write(batch.rows);
            } catch (RuntimeException e) {
                batch.rows.forEach(r -> r.failure = r.failure == null ? e : r.failure);
            } finally {
                synchronized (this) {
                    batch.written = true;
                    writing = false;
                    notifyAll();
                }
            }
        }
        if (row.duplicate) {
            return 0;
        }
        if (row.failure != null || row.id == 0) {
            throw row.failure != null ? row.failure : new IllegalStateException("event not written");
        }
        return row.id;
    }

    private void awaitWrite() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the accept write", e);
        }
    }

    /** Rows waiting for the next write (for tests). */
    synchronized int waiting() {
        return open.rows.size();
    }

    private void write(List<Row> rows) {
        if (rows.size() > 1 && writeTogether(rows)) {
            batchSizes.record(rows.size());
            return;
        }
        for (Row row : rows) {
            writeAlone(row);
            batchSizes.record(1);
        }
    }

    /** All rows in one transaction; false (rolled back) if any of them failed. */
    private boolean writeTogether(List<Row> rows) {
        KeyHolder keys = new GeneratedKeyHolder();
        try {
            transaction.executeWithoutResult(status -> {
                jdbc.batchUpdate(InboxWriter::prepareInsert, new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement insert, int i) throws SQLException {
                        new ArgumentPreparedStatementSetter(rows.get(i).values).setValues(insert);
                    }

                    @Override
                    public int getBatchSize() {
                        return rows.size();
                    }
                }, keys);
                if (keys.getKeyList().size() != rows.size()) {
                    throw new IncorrectResultSizeDataAccessException(rows.size(), keys.getKeyList().size());
                }
                for (int i = 0; i < rows.size(); i++) {
                    rows.get(i).id = ((Number) keys.getKeyList().get(i).values().iterator().next()).longValue();
                }
                jdbc.batchUpdate(CLAIM, rows.stream().map(Row::claim).toList());
            });
        } catch (DataAccessException e) {
            rows.forEach(r -> r.id = 0);
            return false;
        }
        return true;
    }

    private void writeAlone(Row row) {
        KeyHolder keys = new GeneratedKeyHolder();
        try {
            transaction.executeWithoutResult(status -> {
                jdbc.update(c -> {
                    PreparedStatement insert = prepareInsert(c);
                    new ArgumentPreparedStatementSetter(row.values).setValues(insert);
                    return insert;
                }, keys);
                row.id = keys.getKey().longValue();
                jdbc.update(CLAIM, row.claim());
            });
        } catch (DuplicateKeyException e) {
            row.id = 0;
            row.duplicate = true;
        } catch (DataAccessException e) {
            row.id = 0;
            row.failure = e;
        }
    }

    /** The INSERT, answering the generated id (by name: H2 and PostgreSQL both honour it). */
    private static PreparedStatement prepareInsert(Connection c) throws SQLException {
        return c.prepareStatement(INSERT, new String[] {"id"});
    }
}
