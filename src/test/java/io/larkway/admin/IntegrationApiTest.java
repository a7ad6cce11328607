package io.larkway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

@ExtendWith(OutputCaptureExtension.class)
class IntegrationApiTest extends LarkwayTest {

    @Autowired
    JdbcClient db;

    private Map<String, Object> body(LarkEmulator.App app) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", "Support bot");
        body.put("appId", app.appId());
        body.put("appSecret", app.appSecret());
        body.put("verificationToken", "verification-token-1234");
        body.put("encryptKey", "encrypt-key-abcd");
        body.put("connectionMode", "webhook");
        body.put("international", true);
        body.put("preferredLanguage", "zh-Hans");
        body.put("autoProvision", Map.of("enabled", true, "roleName", "member"));
        return body;
    }

    @Test
    void crudMasksSecretsEverywhereAndKeepsThemOnPut(CapturedOutput output) {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        Answer created = call("POST", "/api/integrations", key, body(app));
        assertThat(created.status()).isEqualTo(201);
        JsonNode i = created.json();
        String id = i.path("id").asText();
        assertThat(i.path("appSecret").asText()).isEqualTo("****" + app.appSecret().substring(app.appSecret().length() - 4));
        assertThat(i.path("verificationToken").asText()).isEqualTo("****1234");
        assertThat(i.path("encryptKey").asText()).isEqualTo("****abcd");
        assertThat(i.path("webhookUrl").asText()).isEqualTo(props.webhookUrl(id));
        assertThat(i.path("international").asBoolean()).isTrue();
        assertThat(i.path("preferredLanguage").asText()).isEqualTo("zh-Hans");
        assertThat(i.path("autoProvision").path("roleName").asText()).isEqualTo("member");
        assertThat(i.path("createdAt").asText()).endsWith("Z");

        Answer read = call("GET", "/api/integrations/" + id, key, null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("name").asText()).isEqualTo("Support bot");

        // PUT with the masked secrets and a new name keeps the secrets; "" removes the encrypt key
        Map<String, Object> update = new HashMap<>();
        update.put("name", "Renamed");
        update.put("appSecret", i.path("appSecret").asText());
        update.put("verificationToken", null);
        update.put("encryptKey", "");
        Answer updated = call("PUT", "/api/integrations/" + id, key, update);
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().path("name").asText()).isEqualTo("Renamed");
        assertThat(updated.json().path("encryptKey").isNull()).isTrue();
        assertThat(updated.json().path("verificationToken").asText()).isEqualTo("****1234");
        // the stored secret is still the real one: the test call proves it against the emulator
        assertThat(call("POST", "/api/integrations/" + id + "/test", key, null).json().path("ok").asBoolean()).isTrue();

        Answer list = call("GET", "/api/integrations", key, null);
        assertThat(list.json().path("items")).hasSize(1);
        assertThat(list.json().path("nextPageToken").isNull()).isTrue();

        for (Answer a : List.of(created, read, updated, list)) {
            assertThat(a.raw()).doesNotContain(app.appSecret()).doesNotContain("verification-token-1234").doesNotContain("encrypt-key-abcd");
        }
        assertThat(output.getAll()).doesNotContain(app.appSecret()).doesNotContain("verification-token-1234").doesNotContain("encrypt-key-abcd");

        assertThat(call("DELETE", "/api/integrations/" + id, key, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/integrations/" + id, key, null).status()).isEqualTo(404);
    }

    @Test
    void secretsAreEncryptedAtRestAndRoundTrip() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = call("POST", "/api/integrations", key, body(app)).text("id");
        Map<String, Object> row = db.sql("SELECT app_secret_enc, verification_token_enc, encrypt_key_enc FROM integrations WHERE id = ?")
                .param(id).query().singleRow();
        assertThat(row.values()).allSatisfy(v -> assertThat(String.valueOf(v)).startsWith("v1:")
                .doesNotContain(app.appSecret()).doesNotContain("verification-token-1234").doesNotContain("encrypt-key-abcd"));
        // a fresh cipher with the configured master key reads them back
        SecretCipher cipher = new SecretCipher(java.util.Base64.getDecoder().decode("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
        assertThat(cipher.decrypt(String.valueOf(row.get("app_secret_enc")))).isEqualTo(app.appSecret());
        assertThat(cipher.decrypt(String.valueOf(row.get("encrypt_key_enc")))).isEqualTo("encrypt-key-abcd");
    }

    @Test
    void anotherOrganisationsIntegrationIsNotFound() {
        String mine = newOrg();
        String theirs = newOrg();
        String id = call("POST", "/api/integrations", theirs, body(LARK.newApp())).text("id");
        assertThat(call("GET", "/api/integrations/" + id, mine, null).status()).isEqualTo(404);
        assertThat(call("PUT", "/api/integrations/" + id, mine, Map.of("name", "x")).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/integrations/" + id, mine, null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/integrations/" + id + "/test", mine, null).status()).isEqualTo(404);
        assertThat(call("GET", "/api/integrations", mine, null).json().path("items")).isEmpty();
    }

    @Test
    void authentication() {
        Answer none = call("GET", "/api/integrations", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.text("error")).isEqualTo("unauthorized");
        assertThat(call("GET", "/api/integrations", "wrong", null).status()).isEqualTo(401);
        assertThat(call("POST", "/api/orgs", null, Map.of("name", "x")).status()).isEqualTo(401);
        // an organisation key on an admin-only call
        Answer forbidden = call("POST", "/api/orgs", newOrg(), Map.of("name", "x"));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.text("message")).isNotBlank();
        // org keys are stored hashed only
        assertThat(db.sql("SELECT key_hash FROM api_keys").query(String.class).list()).allMatch(h -> h.matches("[0-9a-f]{64}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\":\"n\",\"appSecret\":\"s\",\"connectionMode\":\"webhook\",\"verificationToken\":\"t\"}|appId is required",
        "{\"name\":\"n\",\"appId\":\"a\",\"connectionMode\":\"webhook\",\"verificationToken\":\"t\"}|appSecret is required",
        "{\"appId\":\"a\",\"appSecret\":\"s\"}|name is required",
        "{\"name\":\"n\",\"appId\":\"a\",\"appSecret\":\"s\",\"connectionMode\":\"carrier_pigeon\"}|connectionMode must be one of",
        "{\"name\":\"n\",\"appId\":\"a\",\"appSecret\":\"s\",\"connectionMode\":\"webhook\"}|verificationToken is required",
        "{\"name\":\"n\",\"appId\":\"a\",\"appSecret\":\"s\",\"preferredLanguage\":\"fr\"}|preferredLanguage must be one of",
        "{\"name\":\"n\",\"appId\":\"a\",\"appSecret\":\"s\",\"enabled\":\"yes\"}|enabled must be true or false",
        "{\"name\":\"n\",\"appId\":7,\"appSecret\":\"s\"}|appId must be a string",
        "{\"name\":\"n\"|not valid JSON",
        "[1,2]|must be a JSON object",
        "{\"name\":\"n\",\"appId\":\"a\",\"appSecret\":\"%s\"}|appSecret is longer than 600",
    })
    void invalidBodiesAnswer400WithAMessage(String body, String message) {
        Answer a = call("POST", "/api/integrations", newOrg(), body.replace("%s", "s".repeat(900)));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.text("error")).isEqualTo("invalid_request");
        assertThat(a.text("message")).contains(message);
    }

    @Test
    void duplicateAppIdConflictsAndOversizedBodyIsRefused() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        assertThat(call("POST", "/api/integrations", key, body(app)).status()).isEqualTo(201);
        Answer again = call("POST", "/api/integrations", key, body(app));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text("error")).isEqualTo("conflict");
        Answer big = call("POST", "/api/integrations", key, "{\"name\":\"" + "x".repeat(1_100_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.text("error")).isEqualTo("payload_too_large");
    }

    @Test
    void listsPage() {
        String key = newOrg();
        for (int n = 0; n < 3; n++) {
            call("POST", "/api/integrations", key, body(LARK.newApp()));
        }
        Answer first = call("GET", "/api/integrations?pageSize=2", key, null);
        assertThat(first.json().path("items")).hasSize(2);
        String token = first.text("nextPageToken");
        assertThat(token).isNotNull();
        Answer second = call("GET", "/api/integrations?pageSize=2&pageToken=" + token, key, null);
        assertThat(second.json().path("items")).hasSize(1);
        assertThat(second.json().path("nextPageToken").isNull()).isTrue();
        assertThat(call("GET", "/api/integrations?pageSize=zero", key, null).status()).isEqualTo(400);
    }

    @Test
    void testEndpointProvesCredentialsAndReportsBadOnes() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = call("POST", "/api/integrations", key, body(app)).text("id");
        Answer ok = call("POST", "/api/integrations/" + id + "/test", key, null);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("ok").asBoolean()).isTrue();
        assertThat(ok.json().path("bot").path("openId").asText()).isEqualTo(app.botOpenId());
        assertThat(ok.json().path("bot").path("name").asText()).isEqualTo(app.botName());
        assertThat(ok.text("webhookUrl")).isEqualTo(props.webhookUrl(id));

        Map<String, Object> wrong = body(app);
        wrong.put("appSecret", "not-the-secret");
        Answer bad = call("POST", "/api/integrations/test", key, wrong);
        assertThat(bad.status()).isEqualTo(200);
        assertThat(bad.json().path("ok").asBoolean()).isFalse();
        assertThat(bad.text("error")).contains("app secret invalid");
        assertThat(bad.raw()).doesNotContain("not-the-secret");
    }
}
