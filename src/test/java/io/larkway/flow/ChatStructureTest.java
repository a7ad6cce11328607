package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkLifecycleEvents;
import io.larkway.emulator.LarkWebSocketServer;
import io.larkway.emulator.WebhookSender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 21, PRODUCT.md §10: topic threads as sessions of their own, the chat lifecycle events (bot added, bot removed,
 * message recalled) through both ingresses, and other bots' messages with acceptBotMessages.
 */
class ChatStructureTest extends FlowFixture {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);

    @Autowired
    MeterRegistry meters;

    @Test
    void eachTopicThreadIsItsOwnSessionAnsweredInItsThread() {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("groupReplyStrategy", "all_messages", "threadSessions", true));
        assertThat(call("GET", "/api/triggers/" + s.triggerId(), s.key(), null).json().path("threadSessions").asBoolean()).isTrue();
        String chat = "oc_topics_" + UUID.randomUUID();
        String inA = post(s, chat, "ou_a", "in thread A", null, m -> m.put("thread_id", "omt_A").put("root_id", "om_rootA"));
        String inB = post(s, chat, "ou_b", "in thread B", null, m -> m.put("root_id", "om_rootB"));
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        for (LarkEmulator.Message reply : LARK.messages(s.app().appId())) {
            assertThat(reply.kind()).isEqualTo("reply");
            assertThat(reply.replyInThread()).isTrue();
            assertThat(reply.target()).isIn(inA, inB);
            assertThat(text(reply)).isEqualTo(reply.target().equals(inA) ? "in thread A" : "in thread B");
        }
        JsonNode sessions = call("GET", "/api/sessions?integrationId=" + s.integrationId(), s.key(), null).json().path("items");
        assertThat(sessions).hasSize(2);
        assertThat(sessions.findValuesAsText("threadId")).containsExactlyInAnyOrder("omt_A", "om_rootB");
        assertThat(sessions.findValuesAsText("chatId")).containsOnly(chat);
    }

    @Test
    void theBotAddedToAChatSendsTheWelcomeThroughEitherIngress() {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("welcomeMessage", "Hello, I am the team's expert"));
        String chat = "oc_new_" + UUID.randomUUID();
        deliver(s, LarkLifecycleEvents.botAdded(s.app().appId(), "vt-" + s.app().appId(), chat, "ou_admin"));
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message welcome = LARK.messages(s.app().appId()).get(0);
        assertThat(welcome.kind()).isEqualTo("send");
        assertThat(welcome.target()).isEqualTo("chat_id:" + chat);
        assertThat(text(welcome)).isEqualTo("Hello, I am the team's expert");

        // a trigger without a welcome sends nothing
        assertThat(call("PUT", "/api/triggers/" + s.triggerId(), s.key(), Map.of("welcomeMessage", "")).status()).isEqualTo(200);
        double before = dropped(s.integrationId(), "no_welcome_message");
        deliver(s, LarkLifecycleEvents.botAdded(s.app().appId(), "vt-" + s.app().appId(), "oc_quiet", "ou_admin"));
        await().atMost(Duration.ofSeconds(20)).until(() -> dropped(s.integrationId(), "no_welcome_message") == before + 1);
        assertThat(LARK.messages(s.app().appId())).hasSize(1);
        // bounded
        assertThat(call("PUT", "/api/triggers/" + s.triggerId(), s.key(), Map.of("welcomeMessage", "x".repeat(2001))).status()).isEqualTo(400);

        // the long connection
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String integrationId = newIntegration(key, app, "long_connection", null).path("id").asText();
        String expertId = call("POST", "/api/experts", key, Map.of("name", "echo", "type", "echo")).text("id");
        String triggerId = call("POST", "/api/triggers", key, Map.of("integrationId", integrationId, "expertId", expertId, "welcomeMessage", "Hi all"))
                .text("id");
        assertThat(call("POST", "/api/triggers/" + triggerId + "/publish", key, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> WS.open(app.appId()).size() == 1);
        WS.push(app.appId(), LarkLifecycleEvents.botAdded(app.appId(), "", "oc_ws", "ou_admin").toString());
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(app.appId()).size() == 1);
        assertThat(LARK.messages(app.appId()).get(0).target()).isEqualTo("chat_id:oc_ws");
        assertThat(text(LARK.messages(app.appId()).get(0))).isEqualTo("Hi all");
    }

    @Test
    void theBotRemovedFromAChatEndsItsSessionsAndDropsItsOpenWindow() {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("groupReplyStrategy", "all_messages", "aggregationWindowSeconds", 4));
        String chat = "oc_leaving_" + UUID.randomUUID();
        post(s, chat, "ou_a", "first", null, m -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        String conversation = session(s).path("conversationId").asText();

        post(s, chat, "ou_a", "left in the window", null, m -> { });
        deliver(s, LarkLifecycleEvents.botDeleted(s.app().appId(), "vt-" + s.app().appId(), chat, "ou_admin"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !session(s).path("conversationId").asText().equals(conversation));
        // added back: a new message opens a new window, the dropped one does not come along
        String again = post(s, chat, "ou_a", "back again", null, m -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> LARK.messages(s.app().appId()).size() >= 2);
        LarkEmulator.Message reply = LARK.messages(s.app().appId()).get(1);
        assertThat(reply.target()).isEqualTo(again);
        assertThat(text(reply)).isEqualTo("back again");
        assertThat(LARK.messages(s.app().appId())).hasSize(2);
    }

    @Test
    void aRecalledMessageLeavesItsWindowAndAWindowLeftEmptyMakesNoTurn() {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("groupReplyStrategy", "all_messages", "aggregationWindowSeconds", 4));
        String chat = "oc_recall_" + UUID.randomUUID();
        String oops = post(s, chat, "ou_a", "oops, wrong chat", null, m -> { });
        String kept = post(s, chat, "ou_b", "the real question", null, m -> { });
        deliver(s, LarkLifecycleEvents.recalled(s.app().appId(), "vt-" + s.app().appId(), chat, oops));
        await().atMost(Duration.ofSeconds(30)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message reply = LARK.messages(s.app().appId()).get(0);
        assertThat(text(reply)).isEqualTo("the real question");
        assertThat(reply.target()).isEqualTo(kept);

        // a window holding only the recalled message: no turn at all, and the next message starts afresh
        String alone = post(s, chat, "ou_a", "never mind", null, m -> { });
        deliver(s, LarkLifecycleEvents.recalled(s.app().appId(), "vt-" + s.app().appId(), chat, alone));
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        String next = post(s, chat, "ou_a", "a new question", null, m -> { });
        await().atMost(Duration.ofSeconds(30)).until(() -> LARK.messages(s.app().appId()).size() >= 2);
        assertThat(text(LARK.messages(s.app().appId()).get(1))).isEqualTo("a new question");
        assertThat(LARK.messages(s.app().appId()).get(1).target()).isEqualTo(next);
    }

    @Test
    void otherBotsThatMentionOursAreAnsweredWithAcceptBotMessagesOurOwnNever() {
        Setup s = setup(Map.of("name", "echo", "type", "echo"), Map.of("groupReplyStrategy", "all_messages", "acceptBotMessages", true));
        String chat = "oc_bots_" + UUID.randomUUID();
        Map<String, String> mentionsOurs = Map.of("@_user_1", s.app().botOpenId());
        Consumer<ObjectNode> none = m -> { };
        double own = dropped(s.integrationId(), "own_bot");
        double unmentioned = dropped(s.integrationId(), "bot_not_mentioned");
        post(s, chat, s.app().botOpenId(), "@_user_1 talking to myself", mentionsOurs, none, "app");
        post(s, chat, "ou_other_bot", "not for you", null, none, "app");
        await().atMost(Duration.ofSeconds(20)).until(() -> dropped(s.integrationId(), "own_bot") == own + 1
                && dropped(s.integrationId(), "bot_not_mentioned") == unmentioned + 1);
        String asked = post(s, chat, "ou_other_bot", "@_user_1 summarise please", mentionsOurs, none, "app");
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(LARK.messages(s.app().appId()).get(0).target()).isEqualTo(asked);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).contains("summarise please");
        assertThat(call("GET", "/api/triggers/" + s.triggerId(), s.key(), null).json().path("acceptBotMessages").asBoolean()).isTrue();
        assertThat(call("PUT", "/api/triggers/" + s.triggerId(), s.key(), Map.of("acceptBotMessages", "yes")).status()).isEqualTo(400);
    }

    private String post(Setup s, String chat, String sender, String text, Map<String, String> mentions, Consumer<ObjectNode> message) {
        return post(s, chat, sender, text, mentions, message, "user");
    }

    /** A group message (its JSON changed by {@code message}); answers its id. */
    private String post(Setup s, String chat, String sender, String text, Map<String, String> mentions, Consumer<ObjectNode> message, String senderType) {
        String messageId = "om_" + UUID.randomUUID();
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), messageId, "group", chat, sender, text, Instant.now(), mentions);
        message.accept((ObjectNode) envelope.path("event").path("message"));
        ((ObjectNode) envelope.path("event").path("sender")).put("sender_type", senderType);
        deliver(s, envelope);
        return messageId;
    }

    private static void deliver(Setup s, ObjectNode envelope) {
        var r = WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private JsonNode session(Setup s) {
        List<JsonNode> items = List.copyOf(call("GET", "/api/sessions?integrationId=" + s.integrationId(), s.key(), null).json().path("items").findParents("id"));
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    private double dropped(String integrationId, String reason) {
        Counter c = meters.find("larkway.events.dropped").tags("integration", integrationId, "reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
