package io.larkway.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Tenant tokens belong to one integration: the same App ID in another organisation never shares them. */
class TenantTokenIsolationTest extends LarkwayTest {

    @Test
    void anAppIdRegisteredAgainWithACollidingSecretGetsNoTokenOfTheOwner() {
        String tail = UUID.randomUUID().toString();
        // equal length, "Aa" and "BB" at the same place: the same String.hashCode
        String secret = "secret-xxAaxx-" + tail;
        String colliding = "secret-xxBBxx-" + tail;
        assertThat(colliding.hashCode()).isEqualTo(secret.hashCode());
        LarkEmulator.App app = LARK.registerApp("cli_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16), secret);
        LARK.addChat("oc_victim_" + tail, "the victim's chat");

        String victimKey = newOrg();
        String victim = newIntegration(victimKey, app, "webhook", null).path("id").asText();
        assertThat(call("GET", "/api/integrations/" + victim + "/chats", victimKey, null).status()).isEqualTo(200);
        int fetches = LARK.tokenFetches(app.appId());

        String attackerKey = newOrg();
        String attacker = newIntegration(attackerKey, new LarkEmulator.App(app.appId(), colliding, null, null), "webhook", null).path("id").asText();
        int chatCalls = LARK.requests("GET", "/open-apis/im/v1/chats").size();
        Answer stolen = call("GET", "/api/integrations/" + attacker + "/chats", attackerKey, null);

        // the attacker's secret went to Lark, which refused it; no call went out with the victim's token
        assertThat(LARK.tokenFetches(app.appId())).isEqualTo(fetches + 1);
        assertThat(stolen.status()).isEqualTo(502);
        assertThat(stolen.raw()).doesNotContain("oc_victim_" + tail);
        assertThat(LARK.requests("GET", "/open-apis/im/v1/chats")).hasSize(chatCalls);

        // the same App ID with its real secret in a third organisation: a token of its own
        String otherKey = newOrg();
        String other = newIntegration(otherKey, app, "webhook", null).path("id").asText();
        assertThat(call("GET", "/api/integrations/" + other + "/chats", otherKey, null).status()).isEqualTo(200);
        assertThat(LARK.tokenFetches(app.appId())).isEqualTo(fetches + 2);
        List<String> bearers = LARK.requests("GET", "/open-apis/im/v1/chats").stream().skip(chatCalls - 1)
                .map(r -> r.headers().get("authorization")).toList();
        assertThat(bearers).hasSize(2).doesNotHaveDuplicates();
    }
}
