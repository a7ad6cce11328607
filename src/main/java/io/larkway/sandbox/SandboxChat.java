package io.larkway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.admin.ApiResult;
import io.larkway.admin.Integration;
import io.larkway.admin.Json;
import io.larkway.camel.lark.webhook.WebhookCrypto;
import io.larkway.platform.LarkBaseUrls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The chat window's API of a sandbox integration (organisation-scoped; 404 for any other integration):
 * {@code GET /api/integrations/{id}/sandbox} (bot, users, chats, kept messages),
 * {@code POST …/sandbox/messages} {@code {userId, chatId, text, mention}} (a made-up user's message:
 * kept, then delivered to larkway's own webhook as Lark delivers it, encrypted and signed with the
 * integration's keys, so the production ingress takes it) and {@code POST …/sandbox/tickets} (a
 * ticket for the event stream, {@link SandboxEvents}).
 */
@Component
public class SandboxChat implements ApiHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxChat.class);
    public static final int MAX_TEXT = 4000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Sandboxes sandboxes;
    private final SandboxTickets tickets;
    private final LarkBaseUrls urls;
    private final ObjectMapper json;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public SandboxChat(Sandboxes sandboxes, SandboxTickets tickets, LarkBaseUrls urls, ObjectMapper json, Clock clock) {
        this.sandboxes = sandboxes;
        this.tickets = tickets;
        this.urls = urls;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void register(Registrar api) {
        api.register("sandbox-get", "GET", "/api/integrations/{id}/sandbox", (c, r) -> {
            Integration i = sandboxes.integration(c.requireOrg(), r.path("id"));
            return view(i, sandboxes.state(i));
        });
        api.register("sandbox-message", "POST", "/api/integrations/{id}/sandbox/messages", (c, r) -> {
            Integration i = sandboxes.integration(c.requireOrg(), r.path("id"));
            return ApiResult.created(Map.of("message", say(i, r.body())));
        });
        api.register("sandbox-action", "POST", "/api/integrations/{id}/sandbox/actions", (c, r) -> {
            Integration i = sandboxes.integration(c.requireOrg(), r.path("id"));
            return click(i, r.body());
        });
        api.register("sandbox-ticket", "POST", "/api/integrations/{id}/sandbox/tickets", (c, r) -> {
            Integration i = sandboxes.integration(c.requireOrg(), r.path("id"));
            SandboxTickets.Ticket t = tickets.issue(i.orgId(), i.id());
            return ApiResult.created(Map.of("ticket", t.ticket(), "expiresAt", t.expiresAt()));
        });
    }

    private Map<String, Object> view(Integration i, SandboxState state) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bot", Map.of("openId", state.botOpenId(), "name", i.name()));
        out.put("users", state.users().stream().map(u -> Map.of("openId", u.openId(), "name", u.name())).toList());
        out.put("chats", state.chats().stream().map(ch -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("chatId", ch.chatId());
            v.put("type", ch.type());
            v.put("name", ch.name());
            v.put("userId", ch.userId());
            return v;
        }).toList());
        out.put("messages", state.messages().stream().map(m -> Sandboxes.view(state, m)).toList());
        return out;
    }

    private Map<String, Object> say(Integration i, JsonNode body) {
        SandboxState state = sandboxes.state(i);
        String userId = Json.required(body, "userId", null);
        String chatId = Json.required(body, "chatId", null);
        String text = Json.required(body, "text", null);
        boolean mention = Json.bool(body, "mention", false);
        SandboxState.User user = state.user(userId).orElseThrow(() -> ApiException.invalid("userId must be one of the sandbox's users"));
        SandboxState.Chat chat = state.chat(chatId).orElseThrow(() -> ApiException.invalid("chatId must be one of the sandbox's chats"));
        if (chat.type().equals("p2p") && !chat.userId().equals(user.openId())) {
            throw ApiException.invalid("a direct chat is between the bot and its own user: pick " + chat.name());
        }
        if (text.isBlank()) {
            throw ApiException.invalid("text must not be blank");
        }
        Json.maxLength("text", text, MAX_TEXT);
        if (!i.enabled()) {
            throw ApiException.conflict("integration " + i.id() + " is disabled: enable it to chat");
        }
        boolean mentioned = mention && chat.type().equals("group");
        String content = json.createObjectNode().put("text", mentioned ? "@_user_1 " + text : text).toString();
        long now = clock.millis();
        SandboxState.Message m = state.userMessage(chat.chatId(), user.openId(), content, now);
        deliver(i, envelope(i, state, m, chat, mentioned));
        LOG.debug("Sandbox message delivered integrationId={} message_id={}", i.id(), m.messageId);
        return Sandboxes.view(state, m);
    }

    /**
     * A made-up user clicks a button of a card the bot sent: the {@code card.action.trigger} callback Lark would make,
     * delivered to larkway's own webhook; answers {@code {answer}}, what the callback answered (e.g. {@code {toast}}).
     * Only a button the card shows can be clicked (its {@code value}, as in the card), by a user of the card's chat.
     */
    private Map<String, Object> click(Integration i, JsonNode body) {
        SandboxState state = sandboxes.state(i);
        String userId = Json.required(body, "userId", null);
        String messageId = Json.required(body, "messageId", null);
        JsonNode value = body.path("value");
        SandboxState.User user = state.user(userId).orElseThrow(() -> ApiException.invalid("userId must be one of the sandbox's users"));
        SandboxState.Message card = state.message(messageId).filter(m -> m.fromBot && "interactive".equals(m.msgType))
                .orElseThrow(() -> ApiException.invalid("messageId must be a card the bot sent that the sandbox still keeps"));
        SandboxState.Chat chat = state.chat(card.chatId).orElseThrow();
        if (chat.type().equals("p2p") && !chat.userId().equals(user.openId())) {
            throw ApiException.invalid("the card is in " + chat.name() + "'s direct chat: only " + chat.name() + " can click it");
        }
        if (value.isMissingNode() || !buttonValues(cardOf(state, card)).contains(value)) {
            throw ApiException.invalid("value must be the value of one of the card's buttons");
        }
        if (!i.enabled()) {
            throw ApiException.conflict("integration " + i.id() + " is disabled: enable it to chat");
        }
        long now = clock.millis();
        ObjectNode envelope = json.createObjectNode().put("schema", "2.0");
        // card callbacks give create_time in microseconds (events in milliseconds)
        envelope.putObject("header").put("event_id", UUID.randomUUID().toString()).put("event_type", "card.action.trigger")
                .put("create_time", String.valueOf(now * 1000)).put("token", i.verificationToken()).put("app_id", i.appId())
                .put("tenant_key", "sandbox");
        ObjectNode event = envelope.putObject("event");
        event.putObject("operator").put("tenant_key", "sandbox").put("user_id", user.openId()).put("open_id", user.openId())
                .put("union_id", "on_" + user.openId());
        event.put("token", "c-" + UUID.randomUUID());
        ObjectNode action = event.putObject("action");
        action.set("value", value);
        action.put("tag", "button");
        event.put("host", "im_message");
        event.putObject("context").put("open_message_id", card.messageId).put("open_chat_id", card.chatId);
        String answer = deliver(i, envelope);
        LOG.debug("Sandbox card action delivered integrationId={} message_id={}", i.id(), card.messageId);
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            JsonNode answered = json.readTree(answer);
            out.put("answer", answered != null && answered.isObject() ? answered : json.createObjectNode());
        } catch (java.io.IOException e) {
            out.put("answer", json.createObjectNode());
        }
        return out;
    }

    /** The card a message shows: a card entity's JSON, else the message's content. */
    private JsonNode cardOf(SandboxState state, SandboxState.Message m) {
        String card = state.cardJson(m);
        try {
            return json.readTree(card != null ? card : m.content);
        } catch (java.io.IOException e) {
            return json.createObjectNode();
        }
    }

    /** The values of a card's buttons: {@code value} (card JSON 1.0) or a callback behavior's {@code value} (2.0). */
    static java.util.List<JsonNode> buttonValues(JsonNode card) {
        java.util.List<JsonNode> values = new java.util.ArrayList<>();
        collect(card, values, 0);
        return values;
    }

    private static void collect(JsonNode node, java.util.List<JsonNode> values, int depth) {
        if (node == null || depth > 30 || !node.isContainerNode()) {
            return;
        }
        if ("button".equals(node.path("tag").asText())) {
            if (node.has("value")) {
                values.add(node.get("value"));
            }
            for (JsonNode b : node.path("behaviors")) {
                if ("callback".equals(b.path("type").asText()) && b.has("value")) {
                    values.add(b.get("value"));
                }
            }
            return;
        }
        for (JsonNode child : node) {
            collect(child, values, depth + 1);
        }
    }

    /** The im.message.receive_v1 event (schema 2.0) Lark would deliver for the message. */
    private ObjectNode envelope(Integration i, SandboxState state, SandboxState.Message m, SandboxState.Chat chat, boolean mentioned) {
        ObjectNode envelope = json.createObjectNode().put("schema", "2.0");
        envelope.putObject("header").put("event_id", UUID.randomUUID().toString()).put("event_type", "im.message.receive_v1")
                .put("create_time", String.valueOf(m.createTime)).put("token", i.verificationToken()).put("app_id", i.appId())
                .put("tenant_key", "sandbox");
        ObjectNode event = envelope.putObject("event");
        ObjectNode sender = event.putObject("sender").put("sender_type", "user").put("tenant_key", "sandbox");
        sender.putObject("sender_id").put("open_id", m.senderId).put("union_id", "on_" + m.senderId).put("user_id", m.senderId);
        ObjectNode message = event.putObject("message").put("message_id", m.messageId).put("root_id", "").put("parent_id", "")
                .put("create_time", String.valueOf(m.createTime)).put("update_time", String.valueOf(m.createTime))
                .put("chat_id", chat.chatId()).put("chat_type", chat.type()).put("message_type", "text").put("content", m.content);
        var mentions = message.putArray("mentions");
        if (mentioned) {
            ObjectNode bot = mentions.addObject().put("key", "@_user_1").put("name", i.name()).put("tenant_key", "sandbox");
            bot.putObject("id").put("open_id", state.botOpenId()).put("union_id", "on_" + state.botOpenId()).put("user_id", "");
        }
        return envelope;
    }

    /** Posts the event to larkway's own webhook, encrypted and signed as Lark does, and answers the webhook's 200 body; a refusal is a 409 with the webhook's reason. */
    private String deliver(Integration i, ObjectNode envelope) {
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        String body = json.createObjectNode().put("encrypt", WebhookCrypto.encrypt(i.encryptKey(), envelope.toString(), iv)).toString();
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        String timestamp = String.valueOf(clock.millis() / 1000);
        String nonce = UUID.randomUUID().toString();
        HttpRequest request = HttpRequest.newBuilder(URI.create(urls.self() + "/api/lark/webhook/" + i.id())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("X-Lark-Request-Timestamp", timestamp).header("X-Lark-Request-Nonce", nonce)
                .header("X-Lark-Signature", WebhookCrypto.signature(timestamp, nonce, i.encryptKey(), raw))
                .POST(HttpRequest.BodyPublishers.ofByteArray(raw)).build();
        HttpResponse<String> answer;
        try {
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            LOG.warn("Sandbox delivery failed integrationId={}: {}", i.id(), e.toString());
            throw ApiException.conflict("the sandbox could not reach larkway's webhook at " + urls.self() + " (" + e.getClass().getSimpleName()
                    + "); set larkway.sandbox.base-url to where this service answers");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.conflict("the sandbox's delivery was interrupted");
        }
        if (answer.statusCode() != 200) {
            String reason = answer.body().length() > 300 ? answer.body().substring(0, 300) : answer.body();
            LOG.info("Sandbox delivery refused integrationId={} status={}", i.id(), answer.statusCode());
            throw ApiException.conflict("larkway's webhook refused the sandbox's delivery (" + answer.statusCode() + "): " + reason);
        }
        return answer.body();
    }
}
