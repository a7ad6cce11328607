package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lark.oapi.core.utils.Jsons;
import com.lark.oapi.event.cardcallback.model.P2CardActionTrigger;
import com.lark.oapi.event.cardcallback.model.P2CardActionTriggerResponse;
import io.larkway.emulator.CardCallbacks;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import io.larkway.emulator.WebhookSender;
import io.vertx.core.http.HttpServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Card actions (PRODUCT.md §11): a click in a card the bot sent, on the webhook and on the long
 * connection, is answered at once with a toast in the integration's language, stored like an
 * event (deduped by event id), and becomes a turn for the expert with the action, whose answer
 * replies to the card.
 */
class CardActionTest extends FlowFixture {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);
    static HttpServer expert;
    /** Every request body the http expert got. */
    static final List<JsonNode> REQUESTS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void httpExpert() throws Exception {
        expert = LARK.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            try {
                JsonNode request = JSON.readTree(body.getBytes());
                REQUESTS.add(request);
                req.response().putHeader("Content-Type", "application/json")
                        .end(JSON.createObjectNode().put("text", "chosen: " + request.path("action").path("value").path("choice").asText("(none)")).toString());
            } catch (java.io.IOException e) {
                req.response().setStatusCode(400).end();
            }
        }));
        expert.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        expert.close();
    }

    Map<String, Object> http() {
        return Map.of("name", "actions", "type", "http", "url", "http://127.0.0.1:" + expert.actualPort() + "/");
    }

    static ObjectNode choice(String choice) {
        return JSON.createObjectNode().put("choice", choice);
    }

    /** The expert requests of one chat. */
    static List<JsonNode> requests(String chatId) {
        return REQUESTS.stream().filter(r -> chatId.equals(r.path("chat").path("id").asText())).toList();
    }

    @Test
    void aClickOnTheWebhookIsToastedOnceAndReachesTheExpertWhoseAnswerRepliesToTheCard() throws Exception {
        Setup s = setup(http(), Map.of());
        String chatId = "oc_card_" + UUID.randomUUID();
        String card = "om_card_" + UUID.randomUUID();
        String eventId = UUID.randomUUID().toString();
        ObjectNode click = CardCallbacks.buttonClick(s.app().appId(), "vt-" + s.app().appId(), eventId, card, chatId, "ou_clicker",
                choice("approve"), Instant.now());
        // the envelope reads as the official SDK's model reads it
        P2CardActionTrigger sdk = Jsons.DEFAULT.fromJson(click.toString(), P2CardActionTrigger.class);
        assertThat(sdk.getEvent().getAction().getValue()).containsEntry("choice", "approve");
        assertThat(sdk.getEvent().getContext().getOpenMessageId()).isEqualTo(card);

        WebhookSender.Delivery delivery = s.sender().wrap(click.toString(), true);
        long start = System.nanoTime();
        HttpResponse<String> answer = WebhookSender.post(s.url(), delivery);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(millis).isLessThan(3000);
        P2CardActionTriggerResponse toast = Jsons.DEFAULT.fromJson(answer.body(), P2CardActionTriggerResponse.class);
        assertThat(toast.getToast().getType()).isEqualTo("info");
        assertThat(toast.getToast().getContent()).isEqualTo(english("card-action-toast"));

        // Lark delivers the callback again (same event id): toasted again, one turn
        HttpResponse<String> again = WebhookSender.post(s.url(), delivery);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(answer.body());

        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        JsonNode request = requests(chatId).get(0);
        assertThat(request.path("action").path("value").path("choice").asText()).isEqualTo("approve");
        assertThat(request.path("action").path("tag").asText()).isEqualTo("button");
        assertThat(request.path("action").path("operator").path("openId").asText()).isEqualTo("ou_clicker");
        assertThat(request.path("sender").path("openId").asText()).isEqualTo("ou_clicker");
        LarkEmulator.Message reply = LARK.messages(s.app().appId()).get(0);
        assertThat(reply.kind()).isEqualTo("reply");
        assertThat(reply.target()).isEqualTo(card);
        assertThat(text(reply)).isEqualTo("chosen: approve");

        inboxLeasesRunOut();
        assertThat(requests(chatId)).hasSize(1);
        assertThat(LARK.messages(s.app().appId())).hasSize(1);

        // a second click on the same card (another event) is a turn and an answer of its own
        WebhookSender.post(s.url(), s.sender().wrap(CardCallbacks.buttonClick(s.app().appId(), "vt-" + s.app().appId(), UUID.randomUUID().toString(),
                card, chatId, "ou_clicker", choice("reject"), Instant.now()).toString(), true));
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(text(LARK.messages(s.app().appId()).get(1))).isEqualTo("chosen: reject");
        assertThat(LARK.messages(s.app().appId()).get(1).target()).isEqualTo(card);
    }

    @Test
    void aClickInADirectChatKeepsItsScopeAndTheToastIsInTheIntegrationsLanguage() {
        Setup s = setup(http(), Map.of());
        assertThat(call("PUT", "/api/integrations/" + s.integrationId(), s.key(), Map.of("preferredLanguage", "zh-Hans")).status()).isEqualTo(200);
        String chatId = "oc_p2p_ou_dm";
        p2p(s, "ou_dm", "show me a card");
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        String conversation = requests(chatId).get(0).path("conversationId").asText();

        HttpResponse<String> answer = WebhookSender.post(s.url(), s.sender().wrap(CardCallbacks.buttonClick(s.app().appId(), "vt-" + s.app().appId(),
                UUID.randomUUID().toString(), "om_dm_card", chatId, "ou_dm", choice("yes"), Instant.now()).toString(), true));
        assertThat(answer.body()).contains(texts.text("card-action-toast", "zh-Hans"));
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        JsonNode request = requests(chatId).get(1);
        // the same conversation as the chat's messages, a direct chat
        assertThat(request.path("conversationId").asText()).isEqualTo(conversation);
        assertThat(request.path("chat").path("type").asText()).isEqualTo("p2p");
        LarkEmulator.Message reply = LARK.messages(s.app().appId()).get(1);
        assertThat(reply.kind()).isEqualTo("reply");
        assertThat(reply.target()).isEqualTo("om_dm_card");
    }

    @Test
    void aClickInAChatOrFromAUserTheTriggerDoesNotAnswerIsNoTurn() {
        // the trigger answers one group chat and one user's direct chat; a card clicked elsewhere (forwarded there, or sent
        // before the trigger was narrowed) must not reach the expert or be answered there
        Setup s = setup(http(), Map.of("groupChat", Map.of("mode", "selected_chats", "chats", List.of("oc_chosen")),
                "directChat", Map.of("mode", "selected_users", "users", List.of("ou_chosen"))));
        String outside = "oc_outside_" + UUID.randomUUID();
        WebhookSender.post(s.url(), s.sender().wrap(CardCallbacks.buttonClick(s.app().appId(), "vt-" + s.app().appId(), UUID.randomUUID().toString(),
                "om_out_card", outside, "ou_someone", choice("leak"), Instant.now()).toString(), true));
        p2p(s, "ou_chosen", "hello");
        p2p(s, "ou_other", "hello"); // refused as a message: user_not_selected (no session for this direct chat)
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() >= 1);
        // a click in ou_chosen's direct chat (its session says p2p) by another user, and one in the chosen group that is answered
        WebhookSender.post(s.url(), s.sender().wrap(CardCallbacks.buttonClick(s.app().appId(), "vt-" + s.app().appId(), UUID.randomUUID().toString(),
                "om_dm_card2", "oc_p2p_ou_chosen", "ou_intruder", choice("leak"), Instant.now()).toString(), true));
        WebhookSender.post(s.url(), s.sender().wrap(CardCallbacks.buttonClick(s.app().appId(), "vt-" + s.app().appId(), UUID.randomUUID().toString(),
                "om_in_card", "oc_chosen", "ou_someone", choice("fine"), Instant.now()).toString(), true));
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(s.app().appId()).size() >= 2);
        inboxLeasesRunOut();
        assertThat(requests(outside)).isEmpty();
        assertThat(requests("oc_p2p_ou_chosen")).hasSize(1);
        assertThat(LARK.messages(s.app().appId())).extracting(LarkEmulator.Message::target).doesNotContain("om_out_card", "om_dm_card2");
        assertThat(LARK.messages(s.app().appId())).hasSize(2);
    }

    @Test
    void aTamperedOrUnsignedCallbackIsRefusedAndASignedEncryptedOneIsToasted() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String encryptKey = "ek-" + UUID.randomUUID();
        String integrationId = newIntegration(key, app, "webhook", encryptKey).path("id").asText();
        String url = url("/api/lark/webhook/" + integrationId);
        WebhookSender sender = new WebhookSender(app.appId(), "vt-" + app.appId(), encryptKey);
        String click = CardCallbacks.buttonClick(app.appId(), "vt-" + app.appId(), UUID.randomUUID().toString(), "om_c", "oc_c", "ou_x",
                choice("go"), Instant.now()).toString();

        WebhookSender.Delivery signed = sender.wrap(click, true);
        java.util.Map<String, String> forged = new java.util.HashMap<>(signed.headers());
        forged.put("X-Lark-Signature", "0".repeat(64));
        assertThat(WebhookSender.post(url, new WebhookSender.Delivery(forged, signed.body())).statusCode()).isEqualTo(401);
        assertThat(WebhookSender.post(url, sender.wrap(click, false)).statusCode()).isEqualTo(401);
        HttpResponse<String> tokenless = WebhookSender.post(url, new WebhookSender(app.appId(), "not-the-token", encryptKey).wrap(
                CardCallbacks.buttonClick(app.appId(), "not-the-token", UUID.randomUUID().toString(), "om_c", "oc_c", "ou_x", choice("go"),
                        Instant.now()).toString(), true));
        assertThat(tokenless.statusCode()).isEqualTo(401);

        HttpResponse<String> ok = WebhookSender.post(url, signed);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"toast\"").contains(english("card-action-toast"));
    }

    @Test
    void aClickOnTheLongConnectionIsAnsweredInTheAckAndReachesTheExpert() throws Exception {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String integrationId = newIntegration(key, app, "long_connection", null).path("id").asText();
        String expertId = call("POST", "/api/experts", key, http()).text("id");
        String triggerId = call("POST", "/api/triggers", key, Map.of("integrationId", integrationId, "expertId", expertId)).text("id");
        assertThat(call("POST", "/api/triggers/" + triggerId + "/publish", key, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> WS.open(app.appId()).size() == 1);

        String chatId = "oc_ws_" + UUID.randomUUID();
        String card = "om_ws_card_" + UUID.randomUUID();
        String click = CardCallbacks.buttonClick(app.appId(), "", UUID.randomUUID().toString(), card, chatId, "ou_ws", choice("ship"),
                Instant.now()).toString();
        String frameId = WS.pushCard(app.appId(), click);
        long pushedAt = WS.pushed(frameId).pushedAtNanos();
        await().atMost(Duration.ofSeconds(10)).until(() -> WS.firstAck(frameId) != null);
        LarkWebSocketServer.Ack ack = WS.firstAck(frameId);
        assertThat(ack.code()).isEqualTo(200);
        assertThat((ack.receivedAtNanos() - pushedAt) / 1_000_000).isLessThan(3000);
        P2CardActionTriggerResponse toast = Jsons.DEFAULT.fromJson(ack.data(), P2CardActionTriggerResponse.class);
        assertThat(toast.getToast().getContent()).isEqualTo(english("card-action-toast"));

        // redelivered (no 200 seen, say): acked with the toast again, one turn
        WS.redeliver(frameId);
        await().atMost(Duration.ofSeconds(10)).until(() -> WS.acks(app.appId()).size() >= 2);
        assertThat(WS.acks(app.appId()).get(1).data()).isEqualTo(ack.data());

        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(app.appId()).size() == 1);
        assertThat(requests(chatId)).hasSize(1);
        assertThat(requests(chatId).get(0).path("action").path("value").path("choice").asText()).isEqualTo("ship");
        LarkEmulator.Message reply = LARK.messages(app.appId()).get(0);
        assertThat(reply.target()).isEqualTo(card);
        assertThat(text(reply)).isEqualTo("chosen: ship");
        inboxLeasesRunOut();
        assertThat(requests(chatId)).hasSize(1);

        // the same callback in a frame of type event (as the official SDK expects it): a card action all the same
        String inEvent = WS.push(app.appId(), CardCallbacks.buttonClick(app.appId(), "", UUID.randomUUID().toString(), card, chatId, "ou_ws",
                choice("hold"), Instant.now()).toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> WS.firstAck(inEvent) != null);
        assertThat(WS.firstAck(inEvent).data()).isEqualTo(ack.data());
        await().atMost(Duration.ofSeconds(15)).until(() -> LARK.messages(app.appId()).size() == 2);
        assertThat(text(LARK.messages(app.appId()).get(1))).isEqualTo("chosen: hold");
    }
}
