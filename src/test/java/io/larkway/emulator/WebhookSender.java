package io.larkway.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.camel.lark.webhook.WebhookCrypto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Builds webhook deliveries exactly as Lark does (plain or encrypted, signed when the app has an
 * Encrypt Key; v1 url_verification; v2 events) and posts them.
 */
public final class WebhookSender {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One HTTP delivery: headers and the raw body bytes. */
    public record Delivery(Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String verificationToken;
    private final String encryptKey;
    private final String appId;

    public WebhookSender(String appId, String verificationToken, String encryptKey) {
        this.appId = appId;
        this.verificationToken = verificationToken;
        this.encryptKey = encryptKey;
    }

    public Delivery challenge(String challenge) {
        ObjectNode body = JSON.createObjectNode().put("challenge", challenge).put("token", verificationToken).put("type", "url_verification");
        return wrap(body.toString(), false);
    }

    /** A v2 im.message.receive_v1 text message event. */
    public Delivery message(String eventId, String messageId, String chatType, String chatId, String senderOpenId, String text, Instant created) {
        return wrap(messageEnvelope(eventId, messageId, chatType, chatId, senderOpenId, text, created, null).toString(), true);
    }

    /** The plain v2 envelope of a text message; {@code mentions} maps placeholder key → open_id. */
    public ObjectNode messageEnvelope(String eventId, String messageId, String chatType, String chatId, String senderOpenId, String text,
            Instant created, Map<String, String> mentions) {
        ObjectNode envelope = JSON.createObjectNode().put("schema", "2.0");
        envelope.putObject("header").put("event_id", eventId).put("event_type", "im.message.receive_v1")
                .put("create_time", String.valueOf(created.toEpochMilli())).put("token", verificationToken).put("app_id", appId)
                .put("tenant_key", "tenant-1");
        ObjectNode event = envelope.putObject("event");
        ObjectNode sender = event.putObject("sender");
        sender.putObject("sender_id").put("open_id", senderOpenId).put("union_id", "on_" + senderOpenId).put("user_id", "u_" + senderOpenId);
        sender.put("sender_type", "user").put("tenant_key", "tenant-1");
        ObjectNode message = event.putObject("message").put("message_id", messageId).put("create_time", String.valueOf(created.toEpochMilli()))
                .put("chat_id", chatId).put("chat_type", chatType).put("message_type", "text")
                .put("content", JSON.createObjectNode().put("text", text).toString());
        var list = message.putArray("mentions");
        if (mentions != null) {
            mentions.forEach((key, openId) -> {
                ObjectNode m = list.addObject().put("key", key).put("name", "name of " + openId).put("tenant_key", "tenant-1");
                m.putObject("id").put("open_id", openId).put("union_id", "on_" + openId).put("user_id", "u_" + openId);
            });
        }
        return envelope;
    }

    /** A delivery of any plain JSON, encrypted and signed when the app has an Encrypt Key (signed only if {@code sign}). */
    public Delivery wrap(String plainJson, boolean sign) {
        return wrap(plainJson, sign, Instant.now());
    }

    /** As {@link #wrap(String, boolean)}, signed with {@code signedAt} as X-Lark-Request-Timestamp (old ones are replays). */
    public Delivery wrap(String plainJson, boolean sign, Instant signedAt) {
        String body = plainJson;
        if (encryptKey != null) {
            byte[] iv = new byte[16];
            RANDOM.nextBytes(iv);
            body = JSON.createObjectNode().put("encrypt", WebhookCrypto.encrypt(encryptKey, plainJson, iv)).toString();
        }
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        if (encryptKey != null && sign) {
            String timestamp = String.valueOf(signedAt.getEpochSecond());
            String nonce = UUID.randomUUID().toString();
            headers.put("X-Lark-Request-Timestamp", timestamp);
            headers.put("X-Lark-Request-Nonce", nonce);
            headers.put("X-Lark-Signature", WebhookCrypto.signature(timestamp, nonce, encryptKey, raw));
        }
        return new Delivery(headers, raw);
    }

    /** Posts a delivery; answers status and body. */
    public static HttpResponse<String> post(String url, Delivery delivery) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
            delivery.headers().forEach(request::header);
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
