package io.larkway;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.api.ErrorCode;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps the embedded H2 file near the size of its live data. With {@code WRITE_DELAY=0} every
 * commit writes a chunk of its own, H2 keeps every chunk of the last {@code RETENTION_TIME}
 * (45 s), and the background writer that compacts chunks does not run: a burst of events grew the
 * file by gigabytes, and it never shrank. This bean does that writer's housekeeping itself, every
 * interval: it syncs the file (so every chunk older than one interval is on disk, which is all
 * the retention time is there to assume), then rewrites the live pages of sparse chunks, so their
 * space is reused and the end of the file cut off. That lets the retention drop to
 * {@link #retentionMs(long) two intervals and a second}. Nothing to do on PostgreSQL or an
 * in-memory H2.
 */
@Component
public class H2Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);
    /** H2's own default, restored when housekeeping is switched off (the setting is stored in the file). */
    static final int H2_DEFAULT_RETENTION_MS = 45_000;
    /** Chunks less full than this are rewritten (H2's background writer uses 81-90 %). */
    private static final int TARGET_FILL_RATE = 80;
    /** Most live bytes rewritten per run (the store is locked meanwhile: 16 MiB held commits up for 100+ ms). */
    private static final int REWRITE_BYTES = 1 << 20;

    private final DataSource dataSource;
    private final long intervalMs;
    private ScheduledExecutorService timer;
    private long lastWarning;

    @org.springframework.beans.factory.annotation.Autowired
    public H2Housekeeping(DataSource dataSource, LarkwayProperties props) {
        this(dataSource, props.h2HousekeepingMs());
    }

    H2Housekeeping(DataSource dataSource, long intervalMs) {
        this.dataSource = dataSource;
        this.intervalMs = intervalMs;
    }

    /** The retention that is safe when the file is synced every {@code intervalMs}. */
    static int retentionMs(long intervalMs) {
        return (int) Math.min(H2_DEFAULT_RETENTION_MS, 2 * intervalMs + 1000);
    }

    @jakarta.annotation.PostConstruct
    void start() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (store(c) == null) {
                return;
            }
            int retention = intervalMs > 0 ? retentionMs(intervalMs) : H2_DEFAULT_RETENTION_MS;
            try (Statement s = c.createStatement()) {
                s.execute("SET RETENTION_TIME " + retention);
            }
            if (intervalMs <= 0) {
                return;
            }
            LOG.info("H2 housekeeping every {} ms (retention {} ms)", intervalMs, retention);
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "h2-housekeeping");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::run, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * One round: sync, then compact. A failure is logged (once a minute at most) and the next round
     * tries again; a database closed under it (the JVM shutting down) is not a failure.
     */
    void run() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT SYNC");
            MVStore store = store(c);
            if (store != null && !store.isClosed()) {
                // live pages out of sparse chunks; new chunks then fill the holes and the file's end is cut off. Not H2's
                // compactMoveChunks: called from here it failed an H2 assertion and closed the database.
                store.compact(TARGET_FILL_RATE, REWRITE_BYTES);
            }
        } catch (SQLException e) {
            if (e.getErrorCode() != ErrorCode.DATABASE_IS_CLOSED && e.getErrorCode() != ErrorCode.DATABASE_CALLED_AT_SHUTDOWN) {
                warn(e);
            }
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    private void warn(Exception e) {
        if (System.currentTimeMillis() - lastWarning > 60_000) {
            lastWarning = System.currentTimeMillis();
            LOG.warn("H2 housekeeping failed, will retry: {}", e.toString());
        }
    }

    boolean running() {
        return timer != null;
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        if (timer != null) {
            // never interrupt it: an interrupt during file I/O closes H2's file channel and breaks the database
            timer.shutdown();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The MVStore behind an H2 file database, else null. */
    private static MVStore store(Connection c) throws SQLException {
        if (!c.isWrapperFor(JdbcConnection.class)
                || !(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)
                || !session.getDatabase().isPersistent()) {
            return null;
        }
        return session.getDatabase().getStore().getMvStore();
    }
}
