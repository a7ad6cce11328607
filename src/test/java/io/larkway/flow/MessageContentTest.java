package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.emulator.LarkContentApi;
import io.larkway.emulator.WebhookSender;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Messages as people really send them (PRODUCT.md §10), end to end through the webhook, the emulator's content APIs and
 * local experts: every type rendered, attachments fetched at turn time and given as signed larkway URLs (http) or image
 * content parts (openai), senders' names, quotes, forwarded messages, the size cap.
 */
@TestPropertySource(properties = {"larkway.attachments.max-bytes=100000", "larkway.attachments.max-turn-bytes=150000",
        "larkway.attachments.url-ttl-seconds=10"})
class MessageContentTest extends FlowFixture {
    static final LarkContentApi CONTENT = LarkContentApi.of(LARK);
    static final BlockingQueue<JsonNode> HTTP_REQUESTS = new LinkedBlockingQueue<>();
    static final BlockingQueue<JsonNode> OPENAI_REQUESTS = new LinkedBlockingQueue<>();
    static final HttpClient CLIENT = HttpClient.newHttpClient();
    static HttpServer fake;

    /** /http records the request and answers {"text":"ok"}; /v1/chat/completions records and answers one JSON document. */
    @BeforeAll
    static void fakeExperts() throws Exception {
        fake = LARK.vertx().createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            try {
                JsonNode in = JSON.readTree(body.getBytes());
                if (req.path().equals("/http")) {
                    HTTP_REQUESTS.add(in);
                    req.response().putHeader("Content-Type", "application/json").end("{\"text\":\"ok\"}");
                } else {
                    OPENAI_REQUESTS.add(in);
                    req.response().putHeader("Content-Type", "application/json").end("{\"choices\":[{\"message\":{\"content\":\"ok\"}}]}");
                }
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
            }
        }));
        fake.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        fake.close();
    }

    Setup http(Map<String, Object> trigger) {
        HTTP_REQUESTS.clear();
        return setup(Map.of("name", "hook", "type", "http", "url", "http://127.0.0.1:" + fake.actualPort() + "/http"), trigger);
    }

    static JsonNode next(BlockingQueue<JsonNode> requests) throws InterruptedException {
        JsonNode r = requests.poll(20, TimeUnit.SECONDS);
        assertThat(r).as("the expert was called").isNotNull();
        return r;
    }

    /** Posts a message of any type; answers its id. */
    String send(Setup s, String chatType, String chatId, String sender, String type, String content, String parentId) {
        String messageId = "om_" + UUID.randomUUID();
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), messageId, chatType, chatId, sender, "x", Instant.now(), null);
        ObjectNode message = (ObjectNode) envelope.path("event").path("message");
        message.put("message_type", type).put("content", content);
        if (parentId != null) {
            message.put("parent_id", parentId).put("root_id", parentId);
        }
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);
        return messageId;
    }

    /** GET of a larkway URL on this test's port (the URL is built on larkway.public-base-url). */
    HttpResponse<byte[]> get(String larkwayUrl) throws Exception {
        URI u = URI.create(larkwayUrl);
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url(u.getRawPath() + "?" + u.getRawQuery()))).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    @Test
    void anImageAndAPostsImageReachAnHttpExpertAsSignedUrlsOfTheExactBytes(
            @org.springframework.beans.factory.annotation.Autowired org.springframework.jdbc.core.simple.JdbcClient db) throws Exception {
        Setup s = http(Map.of());
        String mid = "om_img_" + UUID.randomUUID();
        byte[] png = random(5000);
        // the image message: its id is the one the resource API is asked with
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), mid, "p2p", "oc_p2p_img", "ou_img", "x", Instant.now(), null);
        ((ObjectNode) envelope.path("event").path("message")).put("message_type", "image").put("content", "{\"image_key\":\"img_v3_1\"}");
        CONTENT.resource(s.app().appId(), mid, "img_v3_1", png, "image/png", "img_v3_1.png");
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);

        JsonNode request = next(HTTP_REQUESTS);
        JsonNode image = request.path("messages").get(0);
        assertThat(image.path("messageId").asText()).isEqualTo(mid);
        assertThat(image.path("type").asText()).isEqualTo("image");
        assertThat(image.path("text").asText()).isEqualTo("[image]");
        JsonNode attachment = image.path("attachments").get(0);
        assertThat(attachment.path("kind").asText()).isEqualTo("image");
        assertThat(attachment.path("fileKey").asText()).isEqualTo("img_v3_1");
        assertThat(attachment.path("mimeType").asText()).isEqualTo("image/png");
        assertThat(attachment.path("size").asInt()).isEqualTo(5000);
        String imageUrl = attachment.path("url").asText();
        HttpResponse<byte[]> fetched = get(imageUrl);
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo(png);
        assertThat(fetched.headers().firstValue("Content-Type").orElse("")).startsWith("image/png");

        // a post: text, link, mention, code, emotion and an image, read as text with the image as an attachment
        String postId = "om_post_" + UUID.randomUUID();
        byte[] jpeg = random(7000);
        CONTENT.resource(s.app().appId(), postId, "img_v3_2", jpeg, "image/jpeg", "img_v3_2.jpg");
        String post = LarkContentApi.post("Report", List.of(
                List.of(Map.of("tag", "text", "text", "See "), Map.of("tag", "a", "text", "the docs", "href", "https://example.com/d"),
                        Map.of("tag", "emotion", "emoji_type", "SMILE")),
                List.of(Map.of("tag", "img", "image_key", "img_v3_2")),
                List.of(Map.of("tag", "code_block", "language", "JAVA", "text", "int x = 1;"))));
        ObjectNode postEnvelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), postId, "p2p", "oc_p2p_post", "ou_post", "x", Instant.now(), null);
        ((ObjectNode) postEnvelope.path("event").path("message")).put("message_type", "post").put("content", post);
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(postEnvelope.toString(), true)).statusCode()).isEqualTo(200);
        JsonNode postRequest = next(HTTP_REQUESTS);
        assertThat(postRequest.path("text").asText()).isEqualTo("Report\nSee the docs (https://example.com/d):SMILE:\n[image]\n```java\nint x = 1;\n```");
        JsonNode postImage = postRequest.path("messages").get(0).path("attachments").get(0);
        assertThat(postImage.path("fileKey").asText()).isEqualTo("img_v3_2");
        assertThat(get(postImage.path("url").asText()).body()).isEqualTo(jpeg);

        // authorised by the signature alone: altered or expired -> 403 with the JSON error
        String tampered = imageUrl.substring(0, imageUrl.length() - 1) + (imageUrl.endsWith("A") ? "B" : "A");
        HttpResponse<byte[]> refused = get(tampered);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("error").asText()).isEqualTo("forbidden");
        assertThat(get(imageUrl.replaceAll("expires=\\d+", "expires=99999999999")).statusCode()).isEqualTo(403);
        assertThat(get(imageUrl.replaceAll("&signature=.*", "")).statusCode()).isEqualTo(403);
        // the jump below also runs out the post's claim lease: its event must be done first, or the sweep resumes it and
        // the next test gets the post again
        await().atMost(Duration.ofSeconds(10)).until(() -> db.sql("SELECT " + io.larkway.flow.inbox.InboxRows.STATE + " FROM inbound_events e WHERE e.message_id = ?").param(postId)
                .query(String.class).list().equals(List.of("done")));
        clock.advance(Duration.ofSeconds(11));
        HttpResponse<byte[]> expired = get(imageUrl);
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(expired.body()).path("message").asText()).contains("expired");
    }

    @Test
    void theOpenaiExpertGetsImagesAsContentPartsAndTheSendersName() throws Exception {
        OPENAI_REQUESTS.clear();
        Setup s = setup(Map.of("name", "gpt", "type", "openai", "url", "http://127.0.0.1:" + fake.actualPort(), "model", "m-vision"), Map.of());
        CONTENT.user(s.app().appId(), "ou_alice_ai", "Alice");
        String mid = "om_img_" + UUID.randomUUID();
        byte[] png = random(3000);
        CONTENT.resource(s.app().appId(), mid, "img_ai", png, "image/png", "img_ai.png");
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), mid, "p2p", "oc_p2p_ai", "ou_alice_ai", "x", Instant.now(), null);
        ((ObjectNode) envelope.path("event").path("message")).put("message_type", "image").put("content", "{\"image_key\":\"img_ai\"}");
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);

        JsonNode request = next(OPENAI_REQUESTS);
        JsonNode user = request.path("messages").get(request.path("messages").size() - 1);
        assertThat(user.path("role").asText()).isEqualTo("user");
        assertThat(user.path("content").get(0).path("type").asText()).isEqualTo("text");
        assertThat(user.path("content").get(0).path("text").asText()).isEqualTo("Alice: [image]");
        assertThat(user.path("content").get(1).path("type").asText()).isEqualTo("image_url");
        assertThat(user.path("content").get(1).path("image_url").path("url").asText())
                .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(png));
    }

    @Test
    void aGroupWindowGivesEachMessageWithItsSendersName() throws Exception {
        Setup s = http(Map.of("groupReplyStrategy", "all_messages", "aggregationWindowSeconds", 2));
        CONTENT.user(s.app().appId(), "ou_alice", "Alice");
        CONTENT.user(s.app().appId(), "ou_bob", "Bob");
        String chat = "oc_group_" + UUID.randomUUID();
        say(s, "group", chat, "ou_alice", "Shall we ship today?", null);
        say(s, "group", chat, "ou_bob", "After the tests pass.", null);

        JsonNode request = next(HTTP_REQUESTS);
        // two deliveries may be dispatched in either order: each line and message with its own sender, in the window's order
        assertThat(request.path("text").asText().split("\n")).containsExactlyInAnyOrder("Alice: Shall we ship today?", "Bob: After the tests pass.");
        assertThat(request.path("messages")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode message = request.path("messages").get(i);
            String name = message.path("sender").path("name").asText();
            assertThat(request.path("text").asText().split("\n")[i]).isEqualTo(name + ": " + message.path("text").asText());
            assertThat(message.path("sender").path("openId").asText()).isEqualTo(name.equals("Alice") ? "ou_alice" : "ou_bob");
        }
        assertThat(request.path("sender").path("name").asText()).isEqualTo(request.path("messages").get(1).path("sender").path("name").asText());
        assertThat(request.path("chat").path("id").asText()).isEqualTo(chat);
        assertThat(request.path("chat").path("type").asText()).isEqualTo("group");
        assertThat(request.path("conversationId").asText()).isNotEmpty();
        assertThat(request.path("language").asText()).isEqualTo("en");
    }

    @Test
    void aRefusedNameIsNotAskedAgainForTenMinutes(@org.springframework.beans.factory.annotation.Autowired io.larkway.camel.lark.client.LarkClient lark,
            @org.springframework.beans.factory.annotation.Autowired io.larkway.camel.IntegrationApps apps,
            @org.springframework.beans.factory.annotation.Autowired org.springframework.jdbc.core.simple.JdbcClient db) {
        Setup s = http(Map.of());
        io.larkway.SteppedClock clock = new io.larkway.SteppedClock(Instant.parse("2026-12-03T10:00:00Z"));
        io.larkway.flow.content.SenderNames names = new io.larkway.flow.content.SenderNames(lark, apps, db, clock);
        String asked = "/open-apis/contact/v3/users/ou_unknown_to_contact.*";
        // a failure that may pass (Lark answering 500 past the client's retries) is not kept: asked again at the next turn
        CONTENT.usersDown(s.app().appId(), 100);
        assertThat(names.name(s.integrationId(), "ou_unknown_to_contact")).isNull();
        CONTENT.usersDown(s.app().appId(), 0);
        int outage = LARK.requests("GET", asked).size();
        assertThat(outage).as("the client's attempts during the outage").isPositive();
        // Lark refuses (41050, as for an app without the contact permission): asked once, then not for ten minutes
        assertThat(names.name(s.integrationId(), "ou_unknown_to_contact")).isNull();
        assertThat(names.name(s.integrationId(), "ou_unknown_to_contact")).isNull();
        clock.advance(Duration.ofMinutes(9));
        assertThat(names.name(s.integrationId(), "ou_unknown_to_contact")).isNull();
        assertThat(LARK.requests("GET", asked)).hasSize(outage + 1);
        // then asked again; a name Lark now gives is kept
        CONTENT.user(s.app().appId(), "ou_unknown_to_contact", "Grace");
        clock.advance(Duration.ofMinutes(2));
        assertThat(names.name(s.integrationId(), "ou_unknown_to_contact")).isEqualTo("Grace");
        assertThat(names.name(s.integrationId(), "ou_unknown_to_contact")).isEqualTo("Grace");
        assertThat(LARK.requests("GET", asked)).hasSize(outage + 2);
    }

    @Test
    void anAutoProvisionedUserGetsTheirName() throws Exception {
        Setup s = http(Map.of());
        Answer on = call("PUT", "/api/integrations/" + s.integrationId(), s.key(), Map.of("autoProvision", Map.of("enabled", true, "roleName", "member")));
        assertThat(on.status()).as(on.toString()).isEqualTo(200);
        CONTENT.user(s.app().appId(), "ou_frank", "Frank");
        p2p(s, "ou_frank", "hello");
        assertThat(next(HTTP_REQUESTS).path("sender").path("name").asText()).isEqualTo("Frank");
        JsonNode users = call("GET", "/api/integrations/" + s.integrationId() + "/users?source=provisioned", s.key(), null).json();
        assertThat(users.toString()).contains("\"openId\":\"ou_frank\"").contains("\"name\":\"Frank\"");
    }

    @Test
    void aReplyGivesTheQuotedMessage() throws Exception {
        Setup s = http(Map.of());
        CONTENT.user(s.app().appId(), "ou_quoted_author", "Carol");
        String parent = "om_parent_" + UUID.randomUUID();
        CONTENT.message(s.app().appId(), LarkContentApi.item(parent, "text", "{\"text\":\"What is the budget?\"}", "ou_quoted_author", "oc_q"));
        send(s, "p2p", "oc_q", "ou_quoter", "text", "{\"text\":\"About 10k\"}", parent);

        JsonNode message = next(HTTP_REQUESTS).path("messages").get(0);
        assertThat(message.path("text").asText()).isEqualTo("About 10k");
        assertThat(message.path("quoted").path("messageId").asText()).isEqualTo(parent);
        assertThat(message.path("quoted").path("text").asText()).isEqualTo("What is the budget?");
        assertThat(message.path("quoted").path("senderName").asText()).isEqualTo("Carol");
    }

    @Test
    void aMergeForwardIsExpandedWithEachSender() throws Exception {
        Setup s = http(Map.of());
        CONTENT.user(s.app().appId(), "ou_fw_a", "Dan");
        CONTENT.user(s.app().appId(), "ou_fw_b", "Erin");
        String mid = "om_fw_" + UUID.randomUUID();
        ObjectNode forward = LarkContentApi.item(mid, "merge_forward", "Merged and Forwarded Message", "ou_forwarder", "oc_fw");
        CONTENT.message(s.app().appId(), forward,
                LarkContentApi.item("om_fw_1", "text", "{\"text\":\"The build is red\"}", "ou_fw_a", "oc_other"),
                LarkContentApi.item("om_fw_2", "text", "{\"text\":\"Fixed it\"}", "ou_fw_b", "oc_other"));
        // the emulator's answer has the SDK's shape (im.v1 Message: msg_type, sender.id, body.content, upper_message_id)
        var sdk = com.lark.oapi.core.utils.Jsons.DEFAULT.fromJson(LarkContentApi.item("om_x", "text", "{}", "ou_x", "oc_x")
                .put("upper_message_id", mid).toString(), com.lark.oapi.service.im.v1.model.Message.class);
        assertThat(sdk.getMsgType()).isEqualTo("text");
        assertThat(sdk.getSender().getId()).isEqualTo("ou_x");
        assertThat(sdk.getBody().getContent()).isEqualTo("{}");
        assertThat(sdk.getUpperMessageId()).isEqualTo(mid);
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), mid, "p2p", "oc_fw", "ou_forwarder", "x", Instant.now(), null);
        ((ObjectNode) envelope.path("event").path("message")).put("message_type", "merge_forward").put("content", "{\"content\":\"Merged and Forwarded Message\"}");
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);

        JsonNode request = next(HTTP_REQUESTS);
        assertThat(request.path("text").asText()).isEqualTo("Forwarded messages:\nDan: The build is red\nErin: Fixed it");
        assertThat(request.path("messages").get(0).path("type").asText()).isEqualTo("merge_forward");
    }

    @Test
    void everyMessageTypeReachesTheExpertAsText() throws Exception {
        Setup s = http(Map.of());
        Map<String, String> types = new java.util.LinkedHashMap<>();
        types.put("sticker", "{\"file_key\":\"stk_1\"}");
        types.put("share_chat", "{\"chat_id\":\"oc_shared\"}");
        types.put("share_user", "{\"user_id\":\"ou_shared\"}");
        types.put("location", "{\"name\":\"Office\",\"longitude\":\"116.39\",\"latitude\":\"39.9\"}");
        types.put("interactive", "{\"title\":\"Approval\",\"elements\":[[{\"tag\":\"text\",\"text\":\"Please approve\"}]]}");
        types.put("todo", "{\"task_id\":\"t1\"}");
        Map<String, String> expected = Map.of("sticker", "[sticker]", "share_chat", "[shared chat: oc_shared]", "share_user", "[shared user: ou_shared]",
                "location", "[location: Office (39.9, 116.39)]", "interactive", "Approval\nPlease approve", "todo", "[todo]");
        for (var type : types.entrySet()) {
            send(s, "p2p", "oc_t_" + type.getKey(), "ou_t_" + type.getKey(), type.getKey(), type.getValue(), null);
            JsonNode request = next(HTTP_REQUESTS);
            assertThat(request.path("text").asText()).as(type.getKey()).isEqualTo(expected.get(type.getKey()));
            assertThat(request.path("messages").get(0).path("type").asText()).isEqualTo(type.getKey());
        }
    }

    @Test
    void aTurnHoldsAtMostMaxTurnBytesOfAttachmentsTheRestNamed() throws Exception {
        // one post of many images, each under the per-attachment cap: without a turn's cap, a turn held them all in memory
        Setup s = http(Map.of());
        String mid = "om_many_" + UUID.randomUUID();
        List<List<Map<String, Object>>> paragraphs = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CONTENT.resource(s.app().appId(), mid, "img_many_" + i, random(60_000), "image/png", "many" + i + ".png");
            paragraphs.add(List.of(Map.of("tag", "img", "image_key", "img_many_" + i)));
        }
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), mid, "p2p", "oc_many", "ou_many", "x", Instant.now(), null);
        ((ObjectNode) envelope.path("event").path("message")).put("message_type", "post").put("content", LarkContentApi.post("Many", paragraphs));
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);

        JsonNode attachments = next(HTTP_REQUESTS).path("messages").get(0).path("attachments");
        assertThat(attachments).hasSize(4);
        assertThat(attachments.get(0).has("url")).as(attachments.toString()).isTrue();
        assertThat(attachments.get(1).has("url")).isTrue();
        for (int i = 2; i < 4; i++) {
            assertThat(attachments.get(i).has("url")).as(attachments.toString()).isFalse();
            assertThat(attachments.get(i).path("error").asText()).contains("150000 bytes");
        }
    }

    @Test
    void anAttachmentUrlOpenedInABrowserIsADownloadNeverAPageOfLarkwaysOrigin() throws Exception {
        // an HTML file sent in a chat: served as it was, it would run script on the console's origin (its key in sessionStorage)
        Setup s = http(Map.of());
        String mid = "om_html_" + UUID.randomUUID();
        byte[] page = "<html><script>fetch('/api/integrations',{headers:{Authorization:'Bearer '+sessionStorage.key})</script></html>"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        CONTENT.resource(s.app().appId(), mid, "file_html", page, "text/html", "x.html");
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), mid, "p2p", "oc_html", "ou_html", "x", Instant.now(), null);
        ((ObjectNode) envelope.path("event").path("message")).put("message_type", "file")
                .put("content", "{\"file_key\":\"file_html\",\"file_name\":\"report \\\"q\\\".html\"}");
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> fetched = get(next(HTTP_REQUESTS).path("messages").get(0).path("attachments").get(0).path("url").asText());
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo(page);
        assertThat(fetched.headers().firstValue("Content-Disposition").orElse(""))
                .isEqualTo("attachment; filename*=UTF-8''report%20%22q%22.html");
        assertThat(fetched.headers().firstValue("X-Content-Type-Options").orElse("")).isEqualTo("nosniff");
        assertThat(fetched.headers().firstValue("Content-Security-Policy").orElse("")).contains("sandbox").contains("default-src 'none'");
        // the URL is a credential: no shared cache keeps the bytes
        assertThat(fetched.headers().firstValue("Cache-Control").orElse("")).isEqualTo("private, no-store");
    }

    @Test
    void anAttachmentOverTheCapOrMissingIsNamedWithTheReasonAndShowsOnStatus() throws Exception {
        Setup s = http(Map.of());
        String mid = "om_big_" + UUID.randomUUID();
        CONTENT.resource(s.app().appId(), mid, "file_big", random(200_000), "application/pdf", "big.pdf");
        ObjectNode envelope = s.sender().messageEnvelope(UUID.randomUUID().toString(), mid, "p2p", "oc_big", "ou_big", "x", Instant.now(), null);
        ((ObjectNode) envelope.path("event").path("message")).put("message_type", "file").put("content", "{\"file_key\":\"file_big\",\"file_name\":\"big.pdf\"}");
        assertThat(WebhookSender.post(s.url(), s.sender().wrap(envelope.toString(), true)).statusCode()).isEqualTo(200);

        JsonNode request = next(HTTP_REQUESTS);
        JsonNode attachment = request.path("messages").get(0).path("attachments").get(0);
        assertThat(attachment.path("name").asText()).isEqualTo("big.pdf");
        assertThat(attachment.path("error").asText()).contains("larger than the cap of 100000 bytes");
        assertThat(attachment.has("url")).isFalse();
        assertThat(request.path("text").asText()).isEqualTo("[file: big.pdf]\n[file big.pdf not fetched: larger than the cap of 100000 bytes (200000 bytes)]");

        // a download Lark refuses (no such resource) also reaches the expert, named with the reason
        send(s, "p2p", "oc_gone", "ou_gone", "audio", "{\"file_key\":\"file_gone\",\"duration\":3000}", null);
        JsonNode gone = next(HTTP_REQUESTS);
        assertThat(gone.path("text").asText()).isEqualTo("[audio, 3 s]\n[audio file_gone not fetched: File not in msg.]");

        JsonNode status = call("GET", "/api/integrations/" + s.integrationId() + "/status", s.key(), null).json();
        assertThat(status.path("recentErrors").toString()).contains("big.pdf not fetched: larger than the cap").contains("file_gone not fetched");
    }
}
