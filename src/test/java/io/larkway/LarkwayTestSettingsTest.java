package io.larkway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * A test class can override one of {@link LarkwayTest}'s fixed settings and keeps the others (while
 * they were registered in the base's {@code @DynamicPropertySource}, the base value silently won).
 */
@TestPropertySource(properties = "larkway.ingress.claim-lease-seconds=7")
@DirtiesContext // a context of its own: closed after this class rather than left running beside the shared one
class LarkwayTestSettingsTest extends LarkwayTest {

    @Test
    void aSubclassOverridesABaseSettingAndKeepsTheOthers() {
        assertThat(props.ingress().claimLeaseSeconds()).isEqualTo(7);
        assertThat(props.ingress().recoveryIntervalMs()).isEqualTo(500);
        assertThat(props.dataDir().normalize()).isEqualTo(Path.of(DATA_DIR).normalize());
        assertThat(newOrg()).as("the admin key works").isNotBlank();
    }
}
