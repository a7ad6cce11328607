package io.larkway.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps the embedded H2 file from growing with every burst of events. With {@code WRITE_DELAY=0}
 * every commit writes a chunk of its own, H2 keeps every chunk for its retention time (45 s), and
 * the background writer that compacts does not run: a burst grew the file by gigabytes, and it
 * never shrank. This bean does that writer's work itself, every interval, on the MVStore directly
 * (no SQL, so no admin rights and no pooled connection):
 *
 * <ol>
 *   <li>fsync the file, so every chunk written before this round is on disk;
 *   <li>rewrite the live pages of chunks older than the retention (1 MiB per round), so their
 *       space is reused and the end of the file cut off.
 * </ol>
 *
 * <p>The retention is H2's guard against a power loss: it overwrites a dead chunk only once the
 * chunk is older than the retention, "assuming the file system flushes all write buffers within
 * this time" (45 s by default). With an fsync every interval that holds after two intervals, so
 * the retention drops to {@link #retentionMs(long) two intervals and a second} (for this process;
 * nothing is written to the file). Like H2's own, the guard is about time: it holds while the
 * rounds run on schedule. A stricter one, pinning the synced version until the next sync, made
 * H2 keep every map root and closed map of that second and walk them at each commit: at 100
 * messages a second the end-to-end p99 rose from about 50 ms to 160-370 ms ({@code bench/e2e.sh}).
 *
 * <p>Nothing to do on PostgreSQL, an in-memory, read-only or remote H2. The pool keeps the
 * database open; should it ever close, housekeeping stops.
 */
@Component
public class H2Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);
    /** H2's default retention, the most this bean ever sets. */
    static final int H2_DEFAULT_RETENTION_MS = 45_000;
    /** Compaction runs while the chunks are on the whole less full than this (H2's background writer uses 81-90 %). */
    private static final int TARGET_FILL_RATE = 80;
    /** Most live bytes rewritten per round (the store is locked meanwhile: 16 MiB held commits up for 100+ ms). */
    private static final int REWRITE_BYTES = 1 << 20;

    private final DataSource dataSource;
    private final long intervalMs;
    private final java.time.Clock clock;
    private ScheduledExecutorService timer;
    private MVStore store;
    private long lastWarning;
    /** The store's version after a round that had nothing left to compact: while it stays the same, rounds are skipped. */
    private long settledVersion = -1;
    /** Rounds that synced the file (for tests: idle rounds do not). */
    int syncs;

    @org.springframework.beans.factory.annotation.Autowired
    public H2Housekeeping(DataSource dataSource, LarkwayProperties props, java.time.Clock clock) {
        this(dataSource, props.h2HousekeepingMs(), clock);
    }

    H2Housekeeping(DataSource dataSource, long intervalMs, java.time.Clock clock) {
        this.clock = clock;
        this.dataSource = dataSource;
        this.intervalMs = intervalMs;
    }

    /** The retention while housekeeping runs every {@code intervalMs}: chunks younger than that are not rewritten. */
    static int retentionMs(long intervalMs) {
        return (int) Math.min(H2_DEFAULT_RETENTION_MS, 2 * intervalMs + 1000);
    }

    @jakarta.annotation.PostConstruct
    void start() throws SQLException {
        if (intervalMs <= 0) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            store = store(c);
        }
        if (store == null || store.isReadOnly()) {
            return;
        }
        int retention = retentionMs(intervalMs);
        store.setRetentionTime(retention);
        LOG.info("H2 housekeeping every {} ms (retention {} ms)", intervalMs, retention);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "h2-housekeeping");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::run, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One round (see the class comment). A failure is logged (once a minute at most) and the next round tries again. */
    synchronized void run() {
        if (store.isClosed()) {
            // shutting down, or the last connection was closed (a pool never does that)
            LOG.info("H2 housekeeping stopped: the database was closed");
            timer.shutdown();
            return;
        }
        if (store.getCurrentVersion() == settledVersion) {
            return; // nothing committed since a round found nothing to compact: nothing to sync either (idle cost)
        }
        try {
            store.commit(); // takes the store lock: a store under way has finished writing
            store.sync();
            syncs++;
            boolean rewrote = store.compact(TARGET_FILL_RATE, REWRITE_BYTES);
            settledVersion = rewrote ? -1 : store.getCurrentVersion();
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    private void warn(RuntimeException e) {
        long now = clock.millis();
        if (!store.isClosed() && now - lastWarning > 60_000) {
            lastWarning = now;
            LOG.warn("H2 housekeeping failed, will retry: {}", e.toString());
        }
    }

    boolean running() {
        return timer != null && !timer.isShutdown();
    }

    /** Ends the rounds, after a round under way. Never interrupts one: that would close H2's file. */
    @jakarta.annotation.PreDestroy
    void stop() throws InterruptedException {
        if (timer != null) {
            timer.shutdown();
            timer.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The MVStore behind an embedded H2 file database, else null. */
    static MVStore store(Connection c) throws SQLException {
        if (!c.isWrapperFor(JdbcConnection.class)
                || !(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)
                || !session.getDatabase().isPersistent()) {
            return null;
        }
        return session.getDatabase().getStore().getMvStore();
    }
}
