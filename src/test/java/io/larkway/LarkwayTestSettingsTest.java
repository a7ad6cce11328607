package io.larkway;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * A test class can override one of {@link LarkwayTest}'s fixed settings and keeps the others (while
 * they were registered in the base's {@code @DynamicPropertySource}, the base value silently won).
 */
@TestPropertySource(properties = "larkway.ingress.claim-lease-seconds=7")
@DirtiesContext // a context of its own: closed after this class rather than left running beside the shared one
class LarkwayTestSettingsTest extends LarkwayTest {
    @Autowired
    HikariDataSource datasource;

    @Test
    void aSubclassOverridesABaseSettingAndKeepsTheOthers() {
        assertThat(props.ingress().claimLeaseSeconds()).isEqualTo(7);
        assertThat(props.ingress().recoveryIntervalMs()).isEqualTo(500);
        // a context of its own keeps its work apart: its data directory (the H2 database) is its own, under the tests' one
        assertThat(props.dataDir().normalize().getParent()).isEqualTo(Path.of(DATA_DIR).normalize());
        // and on PostgreSQL (-Dspring.datasource.url) a database of its own on that server
        String shared = System.getProperty("spring.datasource.url");
        assertThat(datasource.getJdbcUrl()).isNotEqualTo(shared).contains(shared == null ? props.dataDir().toString() : "/larkway_");
        assertThat(newOrg()).as("the admin key works").isNotBlank();
    }
}
