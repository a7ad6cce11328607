package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/** With the default {@code larkway.experts.allow-private-networks=false}: http and openai experts never reach the instance's networks. */
@TestPropertySource(properties = "larkway.experts.allow-private-networks=false")
class ExpertAddressesTest extends FlowFixture {
    /** A public address (example.com's); these tests never call it. */
    static final String PUBLIC = "http://93.184.215.14/expert";

    @Autowired
    JdbcClient db;

    @Test
    void privateAddressesAreRefusedWhenAnExpertIsSaved() {
        String key = newOrg();
        assertThat(props.experts().allowPrivateNetworks()).isFalse();
        List<String> refused = List.of("http://127.0.0.1:" + port + "/api/orgs", "http://127.9.9.9/", "http://[::1]/", "http://localhost:8080/",
                "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/",
                "http://192.168.1.1/", "http://100.64.0.1/", "http://0.0.0.0/", "http://[::]/", "http://[fc00::1]/", "http://[fd12:3456::1]/",
                "http://[fe80::1]/", "http://224.0.0.1/", "http://198.18.0.1/", "http://192.0.0.8/", "http://255.255.255.255/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
                "https://[::ffff:10.0.0.1]:8443/v1");
        for (String url : refused) {
            for (Map<String, Object> expert : List.<Map<String, Object>>of(Map.of("name", "x", "type", "http", "url", url),
                    Map.of("name", "x", "type", "openai", "url", url, "model", "m"))) {
                Answer a = call("POST", "/api/experts", key, expert);
                assertThat(a.status()).as(url).isEqualTo(400);
                assertThat(a.text("message")).as(url).contains("not allowed (private network)");
            }
        }
        // forms the URI parser does not take as a host (hex, decimal, octal, short), and schemes that only start with http
        for (String url : List.of("http://0x7f000001/", "http://2130706433/", "http://017700000001/", "http://127.1/", "httpfoo://example.com/")) {
            assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "http", "url", url)).status()).as(url).isEqualTo(400);
        }
        Answer created = call("POST", "/api/experts", key, Map.of("name", "public", "type", "http", "url", PUBLIC));
        assertThat(created.status()).isEqualTo(201);
        assertThat(call("PUT", "/api/experts/" + created.text("id"), key, Map.of("url", "http://169.254.169.254/")).status()).isEqualTo(400);
    }

    @Test
    void ipv6FormsThatTranslateToAPrivateIpv4AddressAreRefused() {
        // NAT64 (64:ff9b::/96, and the local-use 64:ff9b:1::/48), 6to4 (2002::/16), SIIT (::ffff:0:0:0/96) and Teredo
        // (2001::/32, client address inverted in the last 32 bits) all carry an IPv4 address a gateway or relay goes on to
        String key = newOrg();
        for (String url : List.of("http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b::10.0.0.1]/",
                "http://[64:ff9b:1::a00:1]/", "http://[2002:a9fe:a9fe::1]/", "http://[2002:7f00:1::]/", "http://[::ffff:0:7f00:1]/",
                "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/")) {
            Answer a = call("POST", "/api/experts", key, Map.of("name", "x", "type", "http", "url", url));
            assertThat(a.status()).as(url).isEqualTo(400);
            assertThat(a.text("message")).as(url).contains("not allowed (private network)");
        }
        // the same prefixes around a public IPv4 address stay allowed
        for (String url : List.of("http://[64:ff9b::5db8:d70e]/", "http://[2002:5db8:d70e::1]/")) {
            assertThat(call("POST", "/api/experts", key, Map.of("name", "x", "type", "http", "url", url)).status()).as(url).isEqualTo(201);
        }
    }

    @Test
    void theResolvedAddressIsCheckedAtEveryCall() throws Exception {
        // an address that became private after the expert was saved (DNS changed, or a row saved before the check) is not called
        AtomicInteger calls = new AtomicInteger();
        HttpServer internal = LARK.vertx().createHttpServer().requestHandler(req -> {
            calls.incrementAndGet();
            req.response().putHeader("Content-Type", "application/json").end("{\"text\":\"internal secret\"}");
        });
        internal.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        try {
            for (Map<String, Object> expert : List.<Map<String, Object>>of(Map.of("name", "h", "type", "http", "url", PUBLIC),
                    Map.of("name", "o", "type", "openai", "url", PUBLIC, "model", "m"))) {
                Setup s = setup(expert, Map.of());
                db.sql("UPDATE experts SET url = ? WHERE id = ?").params("http://127.0.0.1:" + internal.actualPort() + "/expert", s.expertId()).update();
                p2p(s, "ou_ssrf", "what is on the inside?");
                String apology = english(SystemTexts.EXPERT_FAILURE);
                await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).stream().anyMatch(m -> m.content().contains(apology)));
                Answer status = call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null);
                assertThat(status.text("lastError")).contains("the expert's address is not allowed (private network)");
                assertThat(status.json().path("recentErrors").toString()).doesNotContain("127.0.0.1").doesNotContain(String.valueOf(internal.actualPort()));
            }
            assertThat(calls.get()).isZero();
        } finally {
            internal.close();
        }
    }
}
