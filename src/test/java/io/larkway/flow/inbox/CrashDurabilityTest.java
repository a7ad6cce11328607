package io.larkway.flow.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.emulator.WebhookSender;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * "A crash after the 200 loses nothing", with a real crash: larkway runs in a JVM of its own on
 * the embedded H2 default, takes webhook deliveries, and is killed (SIGKILL) right after the last
 * 200. Every delivery answered 200 must then be in the database file.
 */
class CrashDurabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ADMIN = "crash-test-admin-key-0123456789abcdef";

    @Test
    void everyDeliveryAnswered200SurvivesAKill9() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "crash-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process larkway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "io.larkway.LarkwayApplication",
                "--larkway.data-dir=" + data.toAbsolutePath(), "--server.port=" + port, "--larkway.admin-key=" + ADMIN,
                "--larkway.lark.feishu-base-url=http://127.0.0.1:9", "--larkway.lark.lark-base-url=http://127.0.0.1:9")
                .directory(new File(".")).redirectErrorStream(true).redirectOutput(data.resolve("larkway.log").toFile()).start();
        int answered = 0;
        try {
            String base = "http://127.0.0.1:" + port;
            awaitUp(base, larkway);
            String orgKey = post(base + "/api/orgs", ADMIN, "{\"name\":\"crash\"}").path("apiKey").asText();
            String integration = post(base + "/api/integrations", orgKey, "{\"name\":\"crash\",\"appId\":\"cli_crash\",\"appSecret\":\"s\","
                    + "\"verificationToken\":\"tok\",\"encryptKey\":\"crash-key\",\"connectionMode\":\"webhook\"}").path("id").asText();
            WebhookSender lark = new WebhookSender("cli_crash", "tok", "crash-key");
            String url = base + "/api/lark/webhook/" + integration;
            for (int i = 0; i < 300; i++) {
                WebhookSender.Delivery d = lark.message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_1", "ou_1", "hi " + i,
                        Instant.now());
                assertThat(WebhookSender.post(url, d).statusCode()).isEqualTo(200);
                answered++;
            }
        } finally {
            larkway.destroyForcibly(); // SIGKILL: no shutdown hooks, no last flush
            larkway.waitFor();
        }
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + data.toAbsolutePath() + "/larkway;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "sa", ""); ResultSet rows = db.createStatement().executeQuery("SELECT COUNT(*) FROM inbound_events")) {
            rows.next();
            assertThat(rows.getInt(1)).as("accepted events in the database after kill -9").isEqualTo(answered);
        }
    }

    private static void awaitUp(String base, Process larkway) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            assertThat(larkway.isAlive()).as("larkway process running").isTrue();
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("larkway did not start");
    }

    private static JsonNode post(String url, String key, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " " + r.body()).isBetween(200, 201);
        return JSON.readTree(r.body());
    }
}
