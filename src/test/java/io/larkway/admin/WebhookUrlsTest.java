package io.larkway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which base URLs give webhook URLs Lark accepts (public HTTPS), judged without DNS. */
class WebhookUrlsTest {

    @ParameterizedTest
    @ValueSource(strings = {"https://larkway.example.com", "https://larkway.example.com/", "https://bots.acme.io:8443/larkway",
            "https://8.8.8.8", "https://[2606:4700:4700::1111]", "HTTPS://Larkway.Example.COM."})
    void publicHttpsHasNoWarnings(String baseUrl) {
        assertThat(WebhookUrls.warnings(baseUrl)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://larkway.example.com     | not HTTPS      |",
        "http://localhost:8080          | not HTTPS      | local name as its host (localhost)",
        "https://localhost              |                | local name as its host (localhost)",
        "https://app.localhost          |                | local name as its host (localhost)",
        "https://larkway.local          |                | local name as its host (local)",
        "https://bots.corp.internal     |                | local name as its host (internal)",
        "https://router.home.arpa       |                | local name as its host (home.arpa)",
        "https://myhost                 |                | no domain",
        "https://127.0.0.1:8080         |                | private, loopback",
        "https://10.1.2.3               |                | private, loopback",
        "https://192.168.1.20           |                | private, loopback",
        "https://172.16.0.1             |                | private, loopback",
        "https://169.254.169.254        |                | private, loopback",
        "https://100.64.0.1             |                | private, loopback",
        "https://0.0.0.0                |                | private, loopback",
        "https://[::1]                  |                | private, loopback",
        "https://[fd00::1]              |                | private, loopback",
        "https://[::ffff:10.0.0.1]      |                | private, loopback",
        "https://0x7f000001             |                | not a name",
        "https://2130706433             |                | not a name",
        "ftp://larkway.example.com      | not HTTPS      |",
        "larkway.example.com            | not HTTPS      | no host",
    })
    void otherUrlsAreWarnedAbout(String baseUrl, String scheme, String host) {
        var warnings = WebhookUrls.warnings(baseUrl);
        assertThat(warnings).as(baseUrl).hasSize((scheme == null ? 0 : 1) + (host == null ? 0 : 1));
        if (scheme != null) {
            assertThat(warnings.get(0)).contains(scheme).contains("larkway.public-base-url");
        }
        if (host != null) {
            assertThat(warnings.get(warnings.size() - 1)).contains(host).contains("larkway.public-base-url");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "https://exa mple.com"})
    void aBaseUrlThatIsNoUrlIsWarnedAbout(String baseUrl) {
        assertThat(WebhookUrls.warnings(baseUrl)).singleElement().asString().contains("is not a URL");
    }
}
