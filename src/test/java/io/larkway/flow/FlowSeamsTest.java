package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.emulator.CardCallbacks;
import io.larkway.emulator.LarkCards;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkLifecycleEvents;
import io.larkway.emulator.WebhookSender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * Where the features of issues 21 and 22 meet: a recalled message and what the expert sees, the thread of a session
 * in the expert request, card actions and the trigger's scope, streaming cards and card actions in topic threads.
 * The expert timeout is long enough that a turn held open by the test never times out on a loaded machine.
 */
@TestPropertySource(properties = "larkway.conversation.expert-timeout-seconds=30")
class FlowSeamsTest extends FlowFixture {
    static final LarkCards CARDS = LarkCards.on(LARK);
    static HttpServer experts;
    /** Every request the http expert got. */
    static final List<JsonNode> REQUESTS = new CopyOnWriteArrayList<>();
    /** While set, the http expert answers only once it completes. */
    static final AtomicReference<CompletableFuture<Void>> GATE = new AtomicReference<>();

    @Autowired
    MeterRegistry meters;

    @Autowired
    JdbcClient db;

    /** /http: records the request and answers {"text":"ok"} (held while GATE is set); /v1/chat/completions: streams three chunks. */
    @BeforeAll
    static void fakeExperts() throws Exception {
        experts = LARK.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            if (req.path().equals("/http")) {
                try {
                    REQUESTS.add(JSON.readTree(body.getBytes()));
                } catch (java.io.IOException e) {
                    req.response().setStatusCode(400).end();
                    return;
                }
                CompletableFuture<Void> gate = GATE.get();
                Runnable answer = () -> req.response().putHeader("Content-Type", "application/json").end("{\"text\":\"ok\"}");
                if (gate == null) {
                    answer.run();
                } else {
                    gate.thenRun(() -> LARK.vertx().runOnContext(v -> answer.run()));
                }
                return;
            }
            req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
            String[] words = {"Streamed ", "into ", "the thread."};
            for (int i = 0; i < words.length; i++) {
                String chunk = JSON.createObjectNode().set("choices", JSON.createArrayNode().add(
                        JSON.createObjectNode().set("delta", JSON.createObjectNode().put("content", words[i])))).toString();
                int n = i;
                LARK.vertx().setTimer(150L * (i + 1), t -> {
                    req.response().write("data: " + chunk + "\n\n");
                    if (n == words.length - 1) {
                        req.response().end("data: [DONE]\n\n");
                    }
                });
            }
        }));
        experts.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        experts.close();
    }

    Map<String, Object> http() {
        return Map.of("name", "hook", "type", "http", "url", "http://127.0.0.1:" + experts.actualPort() + "/http");
    }

    static List<JsonNode> requests(String chatId) {
        return REQUESTS.stream().filter(r -> chatId.equals(r.path("chat").path("id").asText())).toList();
    }

    @Test
    void aRecalledMessageLeavesTheMessagesAndTextTheExpertSees() {
        Setup s = setup(http(), Map.of("groupReplyStrategy", "all_messages", "aggregationWindowSeconds", 4));
        String chat = "oc_recall_" + UUID.randomUUID();
        String oops = post(s, chat, "ou_a", "my password is hunter2", m -> { });
        String kept = post(s, chat, "ou_b", "the real question", m -> { });
        deliver(s, LarkLifecycleEvents.recalled(s.app().appId(), "vt-" + s.app().appId(), chat, oops));
        await().atMost(Duration.ofSeconds(30)).until(() -> requests(chat).size() == 1);
        JsonNode request = requests(chat).get(0);
        assertThat(request.path("messages")).hasSize(1);
        assertThat(request.path("messages").get(0).path("messageId").asText()).isEqualTo(kept);
        assertThat(request.path("text").asText()).isEqualTo("the real question").doesNotContain("hunter2");
        assertThat(request.toString()).doesNotContain(oops).doesNotContain("hunter2");
    }

    @Test
    void aRecalledMessageWaitingForATurnIsNeverAnswered() {
        Setup s = setup(http(), Map.of("groupReplyStrategy", "all_messages"));
        String chat = "oc_waiting_" + UUID.randomUUID();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        GATE.set(gate);
        try {
            post(s, chat, "ou_a", "first question", m -> { });
            await().atMost(Duration.ofSeconds(20)).until(() -> requests(chat).size() == 1);
            // the turn is running: the next message waits for it
            String waiting = post(s, chat, "ou_a", "recalled while waiting", m -> { });
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingRows(waiting) == 1);
            deliver(s, LarkLifecycleEvents.recalled(s.app().appId(), "vt-" + s.app().appId(), chat, waiting));
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingRows(waiting) == 0);
        } finally {
            GATE.set(null);
            gate.complete(null);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        // no turn for the recalled message, and the next message is a turn of its own
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> requests(chat).size() == 1);
        String next = post(s, chat, "ou_a", "a new question", m -> { });
        await().atMost(Duration.ofSeconds(20)).until(() -> requests(chat).size() == 2);
        JsonNode second = requests(chat).get(1);
        assertThat(second.path("messages")).hasSize(1);
        assertThat(second.path("messages").get(0).path("messageId").asText()).isEqualTo(next);
        assertThat(second.path("text").asText()).isEqualTo("a new question");
    }

    @Test
    void theExpertRequestsThreadIsTheThreadTheSessionIsScopedTo() {
        Setup s = setup(http(), Map.of("groupReplyStrategy", "all_messages", "threadSessions", true));
        String chat = "oc_threads_" + UUID.randomUUID();
        // a reply in a topic thread that Lark gives only its root_id: the session's thread is the root
        post(s, chat, "ou_a", "under a root", m -> m.put("root_id", "om_root_only"));
        post(s, chat, "ou_b", "in a thread", m -> m.put("thread_id", "omt_T").put("root_id", "om_rootT"));
        await().atMost(Duration.ofSeconds(20)).until(() -> requests(chat).size() == 2);
        assertThat(requests(chat).stream().map(r -> r.path("chat").path("threadId").asText(null)).toList())
                .containsExactlyInAnyOrder("om_root_only", "omt_T");
    }

    @Test
    void aClickFromAUserOrChatTheTriggerWouldNotAnswerIsDroppedLikeAMessage() {
        String allowedChat = "oc_allowed_" + UUID.randomUUID();
        Setup s = setup(http(), Map.of("groupReplyStrategy", "all_messages",
                "directChat", Map.of("mode", "selected_users", "users", List.of("ou_allowed")),
                "groupChat", Map.of("mode", "selected_chats", "chats", List.of(allowedChat))));
        // a direct chat with a selected user: answered, its session known
        p2p(s, "ou_allowed", "hello");
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 1);

        // a chat not selected: the click is dropped as its messages are
        double chatNotSelected = dropped(s.integrationId(), "chat_not_selected");
        click(s, "om_card_elsewhere", "oc_elsewhere", "ou_allowed");
        await().atMost(Duration.ofSeconds(20)).until(() -> dropped(s.integrationId(), "chat_not_selected") == chatNotSelected + 1);

        // the user no longer selected: a click on a card of theirs is dropped
        assertThat(call("PUT", "/api/triggers/" + s.triggerId(), s.key(),
                Map.of("directChat", Map.of("mode", "selected_users", "users", List.of("ou_someone_else")))).status()).isEqualTo(200);
        double userNotSelected = dropped(s.integrationId(), "user_not_selected");
        click(s, "om_card_dm", "oc_p2p_ou_allowed", "ou_allowed");
        await().atMost(Duration.ofSeconds(20)).until(() -> dropped(s.integrationId(), "user_not_selected") == userNotSelected + 1);

        // a selected chat's click is answered, the only card action that reached the expert
        click(s, "om_card_allowed", allowedChat, "ou_anyone");
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(LARK.messages(s.app().appId()).get(1).target()).isEqualTo("om_card_allowed");
        assertThat(REQUESTS.stream().filter(r -> r.has("action") && s.integrationId().equals(r.path("integrationId").asText()))
                .map(r -> r.path("chat").path("id").asText()).toList()).containsExactly(allowedChat);
    }

    @Test
    void aStreamingCardInATopicThreadGoesIntoTheThread() {
        Setup s = setup(Map.of("name", "gpt", "type", "openai", "url", "http://127.0.0.1:" + experts.actualPort(), "model", "m-1"),
                Map.of("groupReplyStrategy", "all_messages", "threadSessions", true));
        String chat = "oc_stream_thread_" + UUID.randomUUID();
        String asked = post(s, chat, "ou_a", "stream it here", m -> m.put("thread_id", "omt_S").put("root_id", "om_rootS"));
        await().atMost(Duration.ofSeconds(20)).until(() -> CARDS.cards(s.app().appId()).size() == 1
                && !CARDS.cards(s.app().appId()).get(0).streaming());
        assertThat(CARDS.cards(s.app().appId()).get(0).contents().get("answer")).isEqualTo("Streamed into the thread.");
        assertThat(LARK.messages(s.app().appId())).hasSize(1);
        LarkEmulator.Message card = LARK.messages(s.app().appId()).get(0);
        assertThat(card.msgType()).isEqualTo("interactive");
        assertThat(card.kind()).isEqualTo("reply");
        assertThat(card.target()).isEqualTo(asked);
        assertThat(card.replyInThread()).isTrue();
    }

    @Test
    void aCardActionInATopicThreadRepliesInTheThread() {
        Setup s = setup(http(), Map.of("groupReplyStrategy", "all_messages", "threadSessions", true));
        String chat = "oc_card_thread_" + UUID.randomUUID();
        post(s, chat, "ou_a", "show me a card", m -> m.put("thread_id", "omt_C").put("root_id", "om_rootC"));
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        String conversation = requests(chat).get(0).path("conversationId").asText();

        click(s, "om_card_in_thread", chat, "ou_a");
        await().atMost(Duration.ofSeconds(20)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        LarkEmulator.Message reply = LARK.messages(s.app().appId()).get(1);
        assertThat(reply.kind()).isEqualTo("reply");
        assertThat(reply.target()).isEqualTo("om_card_in_thread");
        assertThat(reply.replyInThread()).isTrue();
        JsonNode request = requests(chat).get(1);
        assertThat(request.path("conversationId").asText()).isEqualTo(conversation);
        assertThat(request.path("chat").path("threadId").asText()).isEqualTo("omt_C");
    }

    private int waitingRows(String messageId) {
        return db.sql("SELECT COUNT(*) FROM waiting_messages WHERE message_id = ?").param(messageId).query(Integer.class).single();
    }

    private void click(Setup s, String cardMessageId, String chatId, String operator) {
        var r = WebhookSender.post(s.url(), s.sender().wrap(CardCallbacks.buttonClick(s.app().appId(), "vt-" + s.app().appId(),
                UUID.randomUUID().toString(), cardMessageId, chatId, operator, JSON.createObjectNode().put("choice", "go"), Instant.now()).toString(), true));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** A group message (its JSON changed by {@code message}); answers its id. */
    private String post(Setup s, String chat, String sender, String text, Consumer<ObjectNode> message) {
        String messageId = "om_" + UUID.randomUUID();
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), messageId, "group", chat, sender, text, Instant.now(), null);
        message.accept((ObjectNode) envelope.path("event").path("message"));
        deliver(s, envelope);
        return messageId;
    }

    private static void deliver(Setup s, ObjectNode envelope) {
        var r = WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private double dropped(String integrationId, String reason) {
        Counter c = meters.find("larkway.events.dropped").tags("integration", integrationId, "reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
