package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.emulator.LarkBotInfoGate;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Events deferred while a bot identity is fetched keep their place: no later event of the integration overtakes them. */
class DeferredOrderTest extends FlowFixture {
    private static final LarkBotInfoGate BOT_INFO = LarkBotInfoGate.on(LARK);

    @Autowired
    CamelContext camel;

    /** Everything the inbox was given before this has been through dispatch: another tenant's direct message, answered. */
    private void inboxDrained(Setup other) {
        int before = LARK.messages(other.app().appId()).size();
        p2p(other, "ou_drain", "drained?");
        await().atMost(Duration.ofSeconds(30)).until(() -> LARK.messages(other.app().appId()).size() == before + 1);
    }

    @Test
    void aMessageAfterTheBotIdentityArrivedDoesNotOvertakeOneDeferredWhileItWasFetched() throws Exception {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("aggregationWindowSeconds", 5));
        Setup other = echo();
        String chat = "oc_order_" + UUID.randomUUID();
        Map<String, String> mention = Map.of("@_user_1", s.app().botOpenId());
        BOT_INFO.hold(s.app().appId());
        // the moment between the identity's arrival and the deferred event's re-dispatch, held open: the sweep waits
        camel.getRouteController().suspendRoute("inbox-sweep");
        try {
            // A: a group message of a freshly connected integration, deferred while its bot identity is asked for
            say(s, "group", chat, "ou_member", "@_user_1 A", mention);
            await().atMost(Duration.ofSeconds(30)).until(() -> BOT_INFO.waiting(s.app().appId()) >= 1);
            inboxDrained(other);
            // the identity arrives; B right after, before A is dispatched again
            BOT_INFO.release(s.app().appId());
            await().atMost(Duration.ofSeconds(30)).until(() -> s.app().botOpenId().equals(
                    call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null).json().path("bot").path("openId").asText(null)));
            say(s, "group", chat, "ou_member", "@_user_1 B", mention);
            inboxDrained(other);
        } finally {
            camel.getRouteController().resumeRoute("inbox-sweep");
        }
        // one window, in the order the messages were sent
        await().atMost(Duration.ofSeconds(60)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo("A\nB");
    }
}
