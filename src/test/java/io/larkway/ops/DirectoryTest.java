package io.larkway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.WebhookSender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Users and chats selectors against the emulator's paged directory; auto-provision records senders. */
class DirectoryTest extends LarkwayTest {
    @org.springframework.beans.factory.annotation.Autowired
    Directory directory;

    @BeforeAll
    static void directory() {
        for (int i = 0; i < 5; i++) {
            LARK.addUser("ou_dir_" + i, i % 2 == 0 ? "Alice " + i : "Bob " + i);
            LARK.addChat("oc_dir_" + i, "Team " + i);
        }
    }

    @Test
    void usersAndChatsPageThroughLark() {
        String key = newOrg();
        String id = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = call("GET", "/api/integrations/" + id + "/users?pageSize=2" + (token == null ? "" : "&pageToken=" + token), key, null).json();
            assertThat(page.path("items").size()).isLessThanOrEqualTo(2);
            page.path("items").forEach(u -> names.add(u.path("name").asText()));
            token = page.path("nextPageToken").isNull() ? null : page.path("nextPageToken").asText();
        } while (token != null);
        assertThat(names).contains("Alice 0", "Bob 1", "Alice 4");
        JsonNode alices = call("GET", "/api/integrations/" + id + "/users?q=alice&pageSize=200", key, null).json();
        assertThat(alices.path("items").findValuesAsText("name")).allMatch(n -> n.startsWith("Alice"));
        JsonNode chats = call("GET", "/api/integrations/" + id + "/chats?pageSize=3", key, null).json();
        assertThat(chats.path("items")).hasSize(3);
        assertThat(chats.path("items").get(0).path("chatId").asText()).startsWith("oc_");
        assertThat(chats.path("nextPageToken").isNull()).isFalse();
        assertThat(call("GET", "/api/integrations/" + id + "/chats", newOrg(), null).status()).isEqualTo(404);
    }

    @Test
    void listsOfLarkAreKeptOnlyWhileCurrent() {
        String key = newOrg();
        String first = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        String second = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        assertThat(call("GET", "/api/integrations/" + first + "/users?pageSize=2", key, null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/integrations/" + first + "/chats?pageSize=2", key, null).status()).isEqualTo(200);
        assertThat(directory.cachedIntegrations()).contains(first);

        // once out of date, another integration's lists drop them: the caches do not grow with every integration ever listed
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(call("GET", "/api/integrations/" + second + "/users?pageSize=2", key, null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/integrations/" + second + "/chats?pageSize=2", key, null).status()).isEqualTo(200);
        assertThat(directory.cachedIntegrations()).contains(second).doesNotContain(first);
    }

    @Test
    void autoProvisionRecordsANewSender() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        JsonNode i = call("POST", "/api/integrations", key, Map.of("name", "ap", "appId", app.appId(), "appSecret", app.appSecret(),
                "verificationToken", "vt", "connectionMode", "webhook", "autoProvision", Map.of("enabled", true, "roleName", "member"))).json();
        String id = i.path("id").asText();
        WebhookSender sender = new WebhookSender(app.appId(), "vt", null);
        WebhookSender.post(url("/api/lark/webhook/" + id), sender.message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_x",
                "ou_newcomer", "hi", Instant.now()));
        await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", "/api/integrations/" + id + "/users?source=provisioned", key, null)
                .json().path("items").size() == 1);
        JsonNode user = call("GET", "/api/integrations/" + id + "/users?source=provisioned", key, null).json().path("items").get(0);
        assertThat(user.path("openId").asText()).isEqualTo("ou_newcomer");
        assertThat(user.path("roleName").asText()).isEqualTo("member");
        assertThat(user.path("firstSeen").asText()).isNotBlank();
    }
}
