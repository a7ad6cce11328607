package io.larkway.flow.window;

import io.larkway.platform.LarkwayProperties;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.jdbc.JdbcAggregationRepository;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The persistent store of message windows (tables {@code windows} and {@code windows_completed},
 * made by Flyway): Camel's JdbcAggregationRepository, with a recovery that is safe across
 * instances. A window that completed but was not handed on (its instance stopped in between) is
 * handed on again; Camel's own recovery would do that on every instance for every completed window
 * not yet confirmed, including one that another instance is handing on that very moment (the expert
 * would answer it twice). Here a completed window is recovered only once it has waited
 * {@code window-orphan-grace-seconds}, and by one instance: the instance that recovers it first
 * renews its {@code completed_at}. Handing a window on takes milliseconds: the converse route
 * stores its messages with the turn's claim and passes the turn on as a copy (a seda hand-off of
 * the exchange itself would keep the window unconfirmed until the turn ends).
 */
@Component
public class WindowRepository extends JdbcAggregationRepository {
    private final String due;

    public WindowRepository(PlatformTransactionManager transactions, DataSource dataSource, LarkwayProperties props) {
        super(transactions, "windows", dataSource);
        setUseRecovery(true);
        setRecoveryInterval(5000);
        this.due = "completed_at + INTERVAL '" + props.conversation().windowOrphanGraceSeconds() + "' SECOND < CURRENT_TIMESTAMP";
    }

    /** The completed windows due for recovery: not handed on within the grace. */
    @Override
    public Set<String> scan(CamelContext camel) {
        return new LinkedHashSet<>(jdbcTemplate.queryForList("SELECT id FROM windows_completed WHERE " + due, String.class));
    }

    /** The window, if this instance is the one to recover it; {@code null} (Camel skips it) if another instance was first. */
    @Override
    public Exchange recover(CamelContext camel, String exchangeId) {
        if (jdbcTemplate.update("UPDATE windows_completed SET completed_at = CURRENT_TIMESTAMP WHERE id = ? AND " + due, exchangeId) != 1) {
            return null;
        }
        return super.recover(camel, exchangeId);
    }
}
