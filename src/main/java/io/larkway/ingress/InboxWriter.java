package io.larkway.ingress;

import io.micrometer.core.instrument.DistributionSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;

/**
 * Group commit for the accept INSERT: events that arrive while a write is under way are written
 * together, in one transaction, by the first of their threads to see that write end; the others
 * wait for it, and every caller returns only once its own row is committed. One commit (one file
 * write on H2, one WAL flush on PostgreSQL) then serves many events, and a lone event is written
 * at once, as before.
 *
 * <p>A batch that fails (a duplicate, a value the table refuses) is rolled back and its rows are
 * inserted one by one, so a duplicate or a bad row affects only its own event.
 */
final class InboxWriter {
    static final String INSERT = """
            INSERT INTO inbound_events (integration_id, event_id, message_id, event_type, create_time, payload, state,
              accepted_at, claimed_by, claimed_until) VALUES (?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?)""";

    /** One event to insert; once written it has an id, or is a duplicate, or has a failure. */
    static final class Row {
        final Object[] values;
        long id;
        boolean duplicate;
        RuntimeException failure;

        Row(String integrationId, String eventId, String messageId, String eventType, OffsetDateTime createTime, String payload,
                OffsetDateTime acceptedAt, String claimedBy, OffsetDateTime claimedUntil) {
            values = new Object[] {integrationId, eventId, messageId, eventType, createTime, payload, acceptedAt, claimedBy, claimedUntil};
        }
    }

    private static final class Batch {
        final List<Row> rows = new ArrayList<>();
        boolean written;
    }

    private final DataSource dataSource;
    private final SQLExceptionTranslator translator;
    /** Events per write (one transaction). */
    private final DistributionSummary batchSizes;
    /** Rows waiting for the next write; guarded by {@code this}. */
    private Batch open = new Batch();
    /** A batch is being written; guarded by {@code this} (package-private: tests set it to line up a batch). */
    boolean writing;

    InboxWriter(DataSource dataSource, DistributionSummary batchSizes) {
        this.dataSource = dataSource;
        this.batchSizes = batchSizes;
        this.translator = new SQLErrorCodeSQLExceptionTranslator(dataSource);
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
        batchSizes.record(rows.size());
        try (Connection c = dataSource.getConnection()) {
            if (rows.size() > 1 && writeTogether(c, rows)) {
                return;
            }
            for (Row row : rows) {
                writeAlone(c, row);
            }
        } catch (SQLException e) {
            for (Row row : rows) {
                if (row.id == 0 && !row.duplicate && row.failure == null) {
                    row.failure = translate(e);
                }
            }
        }
    }

    /** All rows in one transaction; false (rolled back) if any of them failed. */
    private boolean writeTogether(Connection c, List<Row> rows) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(INSERT, new String[] {"id"})) {
            for (Row row : rows) {
                bind(insert, row);
                insert.addBatch();
            }
            insert.executeBatch();
            long[] ids = new long[rows.size()];
            int n = 0;
            try (ResultSet keys = insert.getGeneratedKeys()) {
                while (keys.next() && n < ids.length) {
                    ids[n++] = keys.getLong(1);
                }
            }
            if (n != ids.length) {
                throw new SQLException("expected " + ids.length + " generated ids, got " + n);
            }
            c.commit();
            for (int i = 0; i < ids.length; i++) {
                rows.get(i).id = ids[i];
            }
            return true;
        } catch (SQLException e) {
            c.rollback();
            return false;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private void writeAlone(Connection c, Row row) {
        try (PreparedStatement insert = c.prepareStatement(INSERT, new String[] {"id"})) {
            bind(insert, row);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no generated id");
                }
                row.id = keys.getLong(1);
            }
        } catch (SQLException e) {
            DataAccessException translated = translate(e);
            if (translated instanceof DuplicateKeyException) {
                row.duplicate = true;
            } else {
                row.failure = translated;
            }
        }
    }

    private static void bind(PreparedStatement insert, Row row) throws SQLException {
        for (int i = 0; i < row.values.length; i++) {
            StatementCreatorUtils.setParameterValue(insert, i + 1, SqlTypeValue.TYPE_UNKNOWN, row.values[i]);
        }
    }

    private DataAccessException translate(SQLException e) {
        DataAccessException translated = translator.translate("accept", INSERT, e);
        return translated != null ? translated : new org.springframework.jdbc.UncategorizedSQLException("accept", INSERT, e);
    }
}
