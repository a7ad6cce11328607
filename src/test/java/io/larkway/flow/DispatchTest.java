package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The content-based router of 30-dispatch.yaml: every scope combination answers or drops with its reason. */
class DispatchTest extends FlowFixture {
    @Autowired
    MeterRegistry meters;

    /**
     * chat: p2p | group; who: selected | other (the sender or chat is / is not in the allow-list);
     * mention: bot | other | none; sender: user | bot. Expect "reply" or the drop reason.
     */
    @ParameterizedTest(name = "{0} {1}/{2} {3} {4} mention={5} from={6} -> {7}")
    @CsvSource({
        "p2p,   all_users,      all_chats, mention_only, other,    none,  user, reply",
        "p2p,   selected_users, all_chats, mention_only, selected, none,  user, reply",
        "p2p,   selected_users, all_chats, mention_only, other,    none,  user, user_not_selected",
        "p2p,   off,            all_chats, mention_only, other,    none,  user, direct_chat_off",
        "p2p,   all_users,      all_chats, mention_only, other,    none,  bot,  from_bot",
        "group, all_users,      all_chats,      mention_only, other,    bot,   user, reply",
        "group, all_users,      all_chats,      mention_only, other,    other, user, not_mentioned",
        "group, all_users,      all_chats,      mention_only, other,    none,  user, not_mentioned",
        "group, all_users,      all_chats,      all_messages, other,    none,  user, reply",
        "group, all_users,      all_chats,      all_messages, other,    other, user, reply",
        "group, all_users,      selected_chats, mention_only, selected, bot,   user, reply",
        "group, all_users,      selected_chats, mention_only, other,    bot,   user, chat_not_selected",
        "group, all_users,      selected_chats, all_messages, selected, none,  user, reply",
        "group, all_users,      selected_chats, all_messages, other,    none,  user, chat_not_selected",
        "group, off,            off,            mention_only, other,    bot,   user, group_chat_off",
        "group, off,            off,            all_messages, other,    none,  user, group_chat_off",
        "group, all_users,      all_chats,      all_messages, other,    bot,   bot,  from_bot",
        "p2p,   all_users,      off,            all_messages, other,    none,  user, reply",
    })
    void scopes(String chat, String direct, String group, String strategy, String who, String mention, String from, String expected) {
        Map<String, Object> trigger = new HashMap<>();
        trigger.put("directChat", Map.of("mode", direct, "users", direct.equals("selected_users") ? List.of("ou_selected") : List.of()));
        trigger.put("groupChat", Map.of("mode", group, "chats", group.equals("selected_chats") ? List.of("oc_selected") : List.of()));
        trigger.put("groupReplyStrategy", strategy);
        Setup s = setup(Map.of("name", "echo", "type", "echo"), trigger);
        String sender = chat.equals("p2p") && who.equals("selected") ? "ou_selected" : "ou_" + UUID.randomUUID();
        String chatId = chat.equals("group") && who.equals("selected") ? "oc_selected" : "oc_" + UUID.randomUUID();
        Map<String, String> mentions = switch (mention) {
            case "bot" -> Map.of("@_user_1", s.app().botOpenId());
            case "other" -> Map.of("@_user_1", "ou_someone_else");
            default -> null;
        };
        String text = mentions == null ? "hello" : "@_user_1 hello";
        var envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), chat, chatId, sender, text,
                java.time.Instant.now(), mentions);
        if (from.equals("bot")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) envelope.path("event").path("sender")).put("sender_type", "app");
        }
        double before = dropped(s.integrationId(), expected);
        io.larkway.emulator.WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true));
        if (expected.equals("reply")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        } else {
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped(s.integrationId(), expected) == before + 1);
            assertThat(LARK.messages(s.app().appId())).isEmpty();
        }
    }

    @Test
    void unpublishedTriggerDoesNotRouteAndUnsupportedMessagesGetThePoliteReply() {
        Setup s = echo();
        var image = s.sender().messageEnvelope(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p", "oc_img", "ou_img", "x",
                java.time.Instant.now(), null);
        ((com.fasterxml.jackson.databind.node.ObjectNode) envelope(image)).put("content", "{not json");
        io.larkway.emulator.WebhookSender.post(s.url(), s.sender().wrap(image.toString(), true));
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo(english(SystemTexts.UNSUPPORTED_MESSAGE));
        assertThat(dropped(s.integrationId(), "unsupported_message_type")).isEqualTo(1);

        assertThat(call("POST", "/api/triggers/" + s.triggerId() + "/unpublish", s.key(), null).status()).isEqualTo(200);
        p2p(s, "ou_after", "anyone?");
        await().atMost(Duration.ofSeconds(10)).until(() -> dropped(s.integrationId(), "no_published_trigger") == 1);
        assertThat(LARK.messages(s.app().appId())).hasSize(1);
    }

    @Test
    void oneIntegrationHasAtMostOnePublishedTriggerAndScopesAreValidated() {
        Setup s = echo();
        Answer second = call("POST", "/api/triggers", s.key(), Map.of("integrationId", s.integrationId(), "expertId", s.expertId()));
        assertThat(second.status()).isEqualTo(201);
        Answer conflict = call("POST", "/api/triggers/" + second.text("id") + "/publish", s.key(), null);
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.text("error")).isEqualTo("conflict");
        Answer empty = call("POST", "/api/triggers", s.key(), Map.of("integrationId", s.integrationId(), "expertId", s.expertId(),
                "directChat", Map.of("mode", "selected_users", "users", List.of())));
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.text("message")).contains("directChat.users");
        Answer badMode = call("POST", "/api/triggers", s.key(), Map.of("integrationId", s.integrationId(), "expertId", s.expertId(),
                "groupChat", Map.of("mode", "some_chats")));
        assertThat(badMode.status()).isEqualTo(400);
        Answer foreign = call("POST", "/api/triggers", newOrg(), Map.of("integrationId", s.integrationId(), "expertId", s.expertId()));
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(call("GET", "/api/triggers/" + s.triggerId(), newOrg(), null).status()).isEqualTo(404);
    }

    private static com.fasterxml.jackson.databind.JsonNode envelope(com.fasterxml.jackson.databind.JsonNode e) {
        return e.path("event").path("message");
    }

    private double dropped(String integrationId, String reason) {
        Counter c = meters.find("larkway.events.dropped").tags("integration", integrationId, "reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
