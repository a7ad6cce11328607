package io.larkway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Organisations through the HTTP API (PRODUCT.md §13): list, rotate a key, delete. */
class OrganisationApiTest extends LarkwayTest {

    private JsonNode createOrg(String name) {
        Answer a = call("POST", "/api/orgs", ADMIN_KEY, Map.of("name", name));
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.json();
    }

    /** Every organisation the list answers, page by page (other tests in this context add theirs). */
    private List<JsonNode> allOrgs() {
        List<JsonNode> all = new ArrayList<>();
        String token = null;
        do {
            Answer page = call("GET", "/api/orgs?pageSize=200" + (token == null ? "" : "&pageToken=" + token), ADMIN_KEY, null);
            assertThat(page.status()).as(page.raw()).isEqualTo(200);
            page.json().path("items").forEach(all::add);
            token = page.json().path("nextPageToken").asText(null);
        } while (token != null);
        return all;
    }

    @Test
    void theListShowsTheOrganisationsWithoutKeysAndOnlyToTheAdmin() {
        String name = "listed-" + UUID.randomUUID();
        JsonNode org = createOrg(name);
        JsonNode listed = allOrgs().stream().filter(o -> o.path("id").asText().equals(org.path("id").asText())).findFirst().orElseThrow();
        assertThat(listed.path("name").asText()).isEqualTo(name);
        assertThat(listed.path("createdAt").asText()).endsWith("Z");
        assertThat(listed.has("apiKey")).isFalse();
        Answer page = call("GET", "/api/orgs?pageSize=1", ADMIN_KEY, null);
        assertThat(page.json().path("items")).hasSize(1);
        assertThat(page.raw()).doesNotContain(org.path("apiKey").asText()).doesNotContain("lwk_");

        assertThat(call("GET", "/api/orgs", org.path("apiKey").asText(), null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/orgs", null, null).status()).isEqualTo(401);
    }

    @Test
    void aRotatedKeyIsAnsweredOnceAndTheOldOneStopsAtOnce() {
        JsonNode org = createOrg("rotating");
        String id = org.path("id").asText();
        String oldKey = org.path("apiKey").asText();
        JsonNode integration = newIntegration(oldKey, LARK.newApp(), "webhook", null);

        // only the admin rotates
        assertThat(call("POST", "/api/orgs/" + id + "/rotate-key", oldKey, null).status()).isEqualTo(403);
        Answer rotated = call("POST", "/api/orgs/" + id + "/rotate-key", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(200);
        String newKey = rotated.text("apiKey");
        assertThat(newKey).startsWith("lwk_").isNotEqualTo(oldKey);

        Answer old = call("GET", "/api/integrations", oldKey, null);
        assertThat(old.status()).isEqualTo(401);
        assertThat(old.text("error")).isEqualTo("unauthorized");
        Answer now = call("GET", "/api/integrations/" + integration.path("id").asText(), newKey, null);
        assertThat(now.status()).as(now.raw()).isEqualTo(200);
        // the new key is not shown again
        assertThat(allOrgs().toString()).doesNotContain(newKey);

        assertThat(call("POST", "/api/orgs/org_nope/rotate-key", ADMIN_KEY, null).status()).isEqualTo(404);
    }

    @Test
    void anOrganisationWithIntegrationsIsNotDeleted() {
        JsonNode org = createOrg("leaving");
        String id = org.path("id").asText();
        String key = org.path("apiKey").asText();
        String integrationId = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        // an expert and a trigger go with it: the expert with the organisation, the trigger with the integration
        Answer expert = call("POST", "/api/experts", key, Map.of("name", "Echo", "type", "echo"));
        assertThat(expert.status()).as(expert.raw()).isEqualTo(201);
        Answer trigger = call("POST", "/api/triggers", key, Map.of("integrationId", integrationId, "expertId", expert.text("id"),
                "directChat", Map.of("mode", "all_users"), "groupChat", Map.of("mode", "off")));
        assertThat(trigger.status()).as(trigger.raw()).isEqualTo(201);
        assertThat(call("DELETE", "/api/orgs/" + id, key, null).status()).isEqualTo(403);

        Answer refused = call("DELETE", "/api/orgs/" + id, ADMIN_KEY, null);
        assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
        assertThat(refused.text("error")).isEqualTo("conflict");
        assertThat(refused.text("message")).contains(id).contains("integration");
        assertThat(call("GET", "/api/integrations/" + integrationId, key, null).status()).isEqualTo(200);

        assertThat(call("DELETE", "/api/integrations/" + integrationId, key, null).status()).isEqualTo(204);
        Answer deleted = call("DELETE", "/api/orgs/" + id, ADMIN_KEY, null);
        assertThat(deleted.status()).as(deleted.raw()).isEqualTo(204);
        assertThat(call("GET", "/api/integrations", key, null).status()).isEqualTo(401);
        assertThat(allOrgs()).noneMatch(o -> o.path("id").asText().equals(id));
        assertThat(call("DELETE", "/api/orgs/" + id, ADMIN_KEY, null).status()).isEqualTo(404);
    }

    @Test
    void anUnknownOrganisationOfAHostileLengthIsA404ThatDoesNotEchoItWhole() {
        String id = "x".repeat(5000);
        for (Answer a : List.of(call("DELETE", "/api/orgs/" + id, ADMIN_KEY, null), call("POST", "/api/orgs/" + id + "/rotate-key", ADMIN_KEY, null))) {
            assertThat(a.status()).as(a.raw()).isEqualTo(404);
            assertThat(a.json().path("error").asText()).isEqualTo("not_found");
            assertThat(a.json().path("message").asText()).hasSizeLessThan(300);
        }
    }
}
