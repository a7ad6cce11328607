package io.larkway.flow.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.platform.LarkwayProperties;
import io.larkway.flow.OwnDatabase;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Window recovery across instances, on a database of its own (H2, or PostgreSQL in the CI's second
 * pass): the instances here are three repositories on one database, with no aggregator running.
 */
class WindowRepositoryTest {

    @Test
    void aCompletedWindowIsRecoveredOnlyAfterTheGraceAndByOneInstance() throws Exception {
        String url = OwnDatabase.url();
        DataSource db = url == null
                ? new DriverManagerDataSource("jdbc:h2:file:./target/test-data/windows-" + UUID.randomUUID() + "/db;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                        "sa", "")
                : new DriverManagerDataSource(url, System.getProperty("spring.datasource.username"), System.getProperty("spring.datasource.password"));
        Flyway.configure().dataSource(db).load().migrate();
        LarkwayProperties props = new Binder(new MapConfigurationPropertySource(Map.of("larkway.conversation.window-orphan-grace-seconds", "5")))
                .bindOrCreate("larkway", LarkwayProperties.class);
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(db);
        CamelContext camel = new DefaultCamelContext();
        camel.start();
        WindowRepository a = new WindowRepository(transactions, db, props);
        WindowRepository b = new WindowRepository(transactions, db, props);
        WindowRepository c = new WindowRepository(transactions, db, props);
        ServiceHelper.startService(a, b, c);
        try {
            // instance a closes a window and is handing it on
            Exchange window = new DefaultExchange(camel);
            window.getMessage().setBody("merged text");
            a.add(camel, "int|oc_1|exp", window);
            Exchange completed = a.get(camel, "int|oc_1|exp");
            a.remove(camel, "int|oc_1|exp", completed);
            String id = completed.getExchangeId();
            assertThat(b.scan(camel)).as("another instance leaves a window being handed on alone").doesNotContain(id);

            // a died before it confirmed: once the grace is over, either of the others may take the window, and only one does
            new JdbcTemplate(db).update("UPDATE windows_completed SET completed_at = ? WHERE id = ?", Timestamp.from(Instant.now().minusSeconds(60)), id);
            assertThat(b.scan(camel)).contains(id);
            assertThat(c.scan(camel)).contains(id);
            Exchange recovered = b.recover(camel, id);
            assertThat(recovered.getMessage().getBody(String.class)).isEqualTo("merged text");
            assertThat(c.recover(camel, id)).isNull();
            assertThat(c.scan(camel)).as("b's claim holds for another grace").doesNotContain(id);

            b.confirm(camel, id);
            assertThat(new JdbcTemplate(db).queryForObject("SELECT COUNT(*) FROM windows_completed", Integer.class)).isZero();
        } finally {
            ServiceHelper.stopService(a, b, c);
            camel.stop();
        }
    }
}
