package io.larkway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.larkway.LarkwayTest;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.emulator.LarkEmulator;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The sandbox: larkway playing Lark for a sandbox integration, through the HTTP API, its own webhook and its event stream. */
class SandboxTest extends LarkwayTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    Integrations integrations;

    private HttpServer expert;
    private final List<CompletableStream> streams = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (expert != null) {
            expert.stop(0);
        }
        if (cards != null) {
            cards.close();
        }
        streams.forEach(s -> s.future().cancel(true));
    }

    /** The lines of one server-sent event stream, as they come. */
    record CompletableStream(List<String> lines, java.util.concurrent.CompletableFuture<HttpResponse<Stream<String>>> future) {
        /** The data of the {@code sandbox} events received so far. */
        List<JsonNode> events() {
            return lines.stream().filter(l -> l.startsWith("data:")).map(l -> {
                try {
                    return JSON.readTree(l.substring(5));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).filter(j -> j.has("type")).toList();
        }
    }

    private JsonNode newSandbox(String key, String name) {
        Answer a = call("POST", "/api/integrations", key, Map.of("name", name, "connectionMode", "sandbox"));
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.json();
    }

    /** An http expert on a tiny local server that answers {"text": "echo: " + the request's text}. */
    private String echoExpert(String key) throws Exception {
        expert = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        expert.createContext("/echo", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            byte[] answer = JSON.createObjectNode().put("text", "echo: " + request.path("text").asText()).toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        expert.start();
        Answer e = call("POST", "/api/experts", key, Map.of("name", "echo", "type", "http",
                "url", "http://127.0.0.1:" + expert.getAddress().getPort() + "/echo"));
        assertThat(e.status()).as(e.raw()).isEqualTo(201);
        return e.text("id");
    }

    /** An openai expert on a tiny local server that streams "Hello ", "sandbox ", "stream." in chunks 200 ms apart. */
    private String streamingExpert(String key) throws Exception {
        expert = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        expert.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                for (String word : List.of("Hello ", "sandbox ", "stream.")) {
                    String chunk = JSON.createObjectNode().set("choices", JSON.createArrayNode().add(
                            JSON.createObjectNode().set("delta", JSON.createObjectNode().put("content", word)))).toString();
                    out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(200); // the fake model's pace, so the card is updated while it streams
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        expert.start();
        Answer e = call("POST", "/api/experts", key, Map.of("name", "gpt", "type", "openai", "model", "m-1",
                "url", "http://127.0.0.1:" + expert.getAddress().getPort()));
        assertThat(e.status()).as(e.raw()).isEqualTo(201);
        return e.text("id");
    }

    private void publishTrigger(String key, String integrationId, String expertId) {
        Answer t = call("POST", "/api/triggers", key, Map.of("integrationId", integrationId, "expertId", expertId));
        assertThat(t.status()).as(t.raw()).isEqualTo(201);
        assertThat(call("POST", "/api/triggers/" + t.text("id") + "/publish", key, null).status()).isEqualTo(200);
    }

    private String ticket(String key, String integrationId) {
        Answer a = call("POST", "/api/integrations/" + integrationId + "/sandbox/tickets", key, null);
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.text("ticket");
    }

    private HttpResponse<String> openStreamOnce(String integrationId, String ticket) throws Exception {
        // a refused stream answers at once; an accepted one is read for its head only
        HttpRequest request = HttpRequest.newBuilder(URI.create(url("/api/integrations/" + integrationId + "/sandbox/events?ticket="
                + URLEncoder.encode(ticket, StandardCharsets.UTF_8)))).timeout(Duration.ofSeconds(20)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private CompletableStream listen(String integrationId, String ticket) {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url("/api/integrations/" + integrationId + "/sandbox/events?ticket="
                + URLEncoder.encode(ticket, StandardCharsets.UTF_8)))).header("Accept", "text/event-stream").build();
        var future = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        future.thenAccept(r -> r.body().forEach(lines::add));
        CompletableStream stream = new CompletableStream(lines, future);
        streams.add(stream);
        await().atMost(Duration.ofSeconds(20)).until(() -> lines.stream().anyMatch(l -> l.startsWith("event:ready")));
        return stream;
    }

    private Answer say(String key, String integrationId, String userId, String chatId, String text, boolean mention) {
        return call("POST", "/api/integrations/" + integrationId + "/sandbox/messages", key,
                Map.of("userId", userId, "chatId", chatId, "text", text, "mention", mention));
    }

    private static boolean botSaid(CompletableStream stream, String text) {
        return stream.events().stream().anyMatch(e -> e.path("type").asText().equals("message.created")
                && e.path("message").path("fromBot").asBoolean() && e.path("message").path("content").asText().contains(text));
    }

    @Test
    void aMadeUpUserChatsWithTheBotThroughTheRealIngressAndSeesTypingAndTheReplyLive() throws Exception {
        String key = newOrg();
        JsonNode created = newSandbox(key, "Sandbox bot");
        String id = created.path("id").asText();
        assertThat(created.path("appId").asText()).startsWith("cli_sandbox_");
        assertThat(created.path("connectionMode").asText()).isEqualTo("sandbox");
        publishTrigger(key, id, echoExpert(key));

        JsonNode sandbox = call("GET", "/api/integrations/" + id + "/sandbox", key, null).json();
        String ada = sandbox.path("users").get(0).path("openId").asText();
        String adaChat = chatOf(sandbox, ada);
        CompletableStream stream = listen(id, ticket(key, id));

        Answer sent = say(key, id, ada, adaChat, "hello sandbox", false);
        assertThat(sent.status()).as(sent.raw()).isEqualTo(201);
        String messageId = sent.json().path("message").path("messageId").asText();

        // the flow's Typing reaction on the user's message, then the expert's reply to it, over the stream
        await().atMost(Duration.ofSeconds(30)).until(() -> stream.events().stream().anyMatch(e -> e.path("type").asText().equals("reaction.added")
                && e.path("reaction").path("emoji").asText().equals("Typing") && e.path("message").path("messageId").asText().equals(messageId)));
        await().atMost(Duration.ofSeconds(30)).until(() -> botSaid(stream, "echo: hello sandbox"));
        JsonNode reply = stream.events().stream().filter(e -> e.path("message").path("fromBot").asBoolean()).findFirst().orElseThrow();
        assertThat(reply.path("message").path("parentId").asText()).isEqualTo(messageId);
        assertThat(reply.path("message").path("chatId").asText()).isEqualTo(adaChat);

        // in the group, a message that @mentions the bot is answered (the mention is told by the bot's open_id from bot info)
        Answer group = say(key, id, ada, "oc_sandbox_group", "hi group", true);
        assertThat(group.status()).as(group.raw()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> botSaid(stream, "echo: hi group"));

        // the kept messages are in the sandbox's state for a chat window opened later
        assertThat(call("GET", "/api/integrations/" + id + "/sandbox", key, null).json().path("messages").findValuesAsText("content"))
                .anyMatch(c -> c.contains("echo: hello sandbox"));
    }

    @Test
    void aStreamingAnswersCardIsUpdatedLiveInTheChatWindow() throws Exception {
        String key = newOrg();
        String id = newSandbox(key, "Streaming bot").path("id").asText();
        publishTrigger(key, id, streamingExpert(key));
        CompletableStream stream = listen(id, ticket(key, id));

        Answer sent = say(key, id, "ou_sandbox_grace", "oc_sandbox_p2p_grace", "stream please", false);
        assertThat(sent.status()).as(sent.raw()).isEqualTo(201);

        // one CardKit card entity (the message names it), its markdown element updated live, then streaming closed
        await().atMost(Duration.ofSeconds(30)).until(() -> stream.events().stream().anyMatch(e -> e.path("type").asText().equals("message.updated")
                && e.path("message").path("card").asText().contains("Hello sandbox stream.")
                && e.path("message").path("card").asText().contains("\"streaming_mode\":false")));
        List<JsonNode> cards = stream.events().stream().filter(e -> e.path("message").path("msgType").asText().equals("interactive")).toList();
        assertThat(cards.get(0).path("type").asText()).isEqualTo("message.created");
        assertThat(cards.stream().map(e -> e.path("message").path("messageId").asText()).distinct()).hasSize(1); // one card, updated
        JsonNode content = JSON.readTree(cards.get(0).path("message").path("content").asText());
        assertThat(content.path("type").asText()).isEqualTo("card");
        assertThat(content.path("data").path("card_id").asText()).isNotBlank();
        assertThat(cards.stream().map(e -> e.path("message").path("content").asText()).distinct()).hasSize(1); // the content only names the card
        // the card was shown while it streamed: an update with a partial text, before the full one
        assertThat(cards.stream().filter(e -> e.path("type").asText().equals("message.updated")).map(e -> e.path("message").path("card").asText()))
                .anyMatch(c -> c.contains("\"streaming_mode\":true") && c.contains("Hello"));
    }

    private CardExpert cards;

    private String cardExpert(String key) throws Exception {
        cards = CardExpert.start();
        Answer e = call("POST", "/api/experts", key, Map.of("name", "cards", "type", "http", "url", cards.url()));
        assertThat(e.status()).as(e.raw()).isEqualTo(201);
        return e.text("id");
    }

    @Test
    void aCardButtonClickReachesTheExpertThroughTheWebhookAndShowsTheToast() throws Exception {
        String key = newOrg();
        String id = newSandbox(key, "Card bot").path("id").asText();
        publishTrigger(key, id, cardExpert(key));
        CompletableStream stream = listen(id, ticket(key, id));

        assertThat(say(key, id, "ou_sandbox_ada", "oc_sandbox_p2p_ada", "card", false).status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> botSaid(stream, "Do you like it?"));
        String cardId = stream.events().stream().filter(e -> e.path("message").path("fromBot").asBoolean()).findFirst().orElseThrow()
                .path("message").path("messageId").asText();

        // only a button the card shows, clicked by a user of the card's chat
        Answer forged = call("POST", "/api/integrations/" + id + "/sandbox/actions", key,
                Map.of("userId", "ou_sandbox_ada", "messageId", cardId, "value", Map.of("choice", "maybe")));
        assertThat(forged.status()).as(forged.raw()).isEqualTo(400);
        assertThat(forged.text("message")).contains("buttons");
        Answer stranger = call("POST", "/api/integrations/" + id + "/sandbox/actions", key,
                Map.of("userId", "ou_sandbox_alan", "messageId", cardId, "value", Map.of("choice", "yes")));
        assertThat(stranger.status()).as(stranger.raw()).isEqualTo(400);
        assertThat(call("POST", "/api/integrations/" + id + "/sandbox/actions", newOrg(),
                Map.of("userId", "ou_sandbox_ada", "messageId", cardId, "value", Map.of("choice", "yes"))).status()).isEqualTo(404);

        // the click: a signed card.action.trigger through larkway's webhook; the callback's toast comes back at once
        Answer click = call("POST", "/api/integrations/" + id + "/sandbox/actions", key,
                Map.of("userId", "ou_sandbox_ada", "messageId", cardId, "value", Map.of("choice", "yes")));
        assertThat(click.status()).as(click.raw()).isEqualTo(200);
        assertThat(click.json().path("answer").path("toast").path("content").asText()).isNotBlank();
        // the expert gets the action and its answer replies to the card
        await().atMost(Duration.ofSeconds(30)).until(() -> botSaid(stream, "clicked yes"));
        JsonNode reply = stream.events().stream().filter(e -> e.path("message").path("content").asText().contains("clicked yes")).findFirst()
                .orElseThrow();
        assertThat(reply.path("message").path("parentId").asText()).isEqualTo(cardId);
    }

    @Test
    void cardKitAndImageUploadsAnswerAsLarkDoes() throws Exception {
        String key = newOrg();
        String id = newSandbox(key, "CardKit").path("id").asText();
        String token = sandboxToken(id);

        assertThat(openApi("POST", id, "cardkit/v1/cards", token, Map.of("type", "card_json", "data", "{\"elements\":[]}")).json()
                .path("code").asInt()).isEqualTo(300301);
        String card = "{\"schema\":\"2.0\",\"config\":{\"streaming_mode\":true},\"body\":{\"elements\":[{\"tag\":\"markdown\",\"element_id\":\"answer\",\"content\":\"\"}]}}";
        Answer created = openApi("POST", id, "cardkit/v1/cards", token, Map.of("type", "card_json", "data", card));
        assertThat(created.json().path("code").asInt()).as(created.raw()).isZero();
        String cardId = created.json().path("data").path("card_id").asText();

        String element = "cardkit/v1/cards/" + cardId + "/elements/answer/content";
        assertThat(openApi("PUT", id, element, token, Map.of("content", "Hel", "sequence", 1)).json().path("code").asInt()).isZero();
        assertThat(openApi("PUT", id, element, token, Map.of("content", "Hello", "sequence", 1)).json().path("code").asInt()).isEqualTo(300317);
        assertThat(openApi("PUT", id, "cardkit/v1/cards/" + cardId + "/elements/nope/content", token, Map.of("content", "x", "sequence", 2))
                .json().path("code").asInt()).isEqualTo(300302);
        assertThat(openApi("PUT", id, "cardkit/v1/cards/nope/elements/answer/content", token, Map.of("content", "x", "sequence", 2))
                .json().path("code").asInt()).isEqualTo(300303);
        assertThat(openApi("PATCH", id, "cardkit/v1/cards/" + cardId + "/settings", token,
                Map.of("settings", "{\"config\":{\"streaming_mode\":false}}", "sequence", 3)).json().path("code").asInt()).isZero();
        assertThat(openApi("PUT", id, element, token, Map.of("content", "late", "sequence", 4)).json().path("code").asInt()).isEqualTo(300309);

        // a message of the card entity; an unknown card_id is a card Lark cannot render
        Answer sent = openApi("POST", id, "im/v1/messages?receive_id_type=chat_id", token, Map.of("receive_id", "oc_sandbox_group",
                "msg_type", "interactive", "content", "{\"type\":\"card\",\"data\":{\"card_id\":\"" + cardId + "\"}}"));
        assertThat(sent.json().path("code").asInt()).as(sent.raw()).isZero();
        assertThat(openApi("POST", id, "im/v1/messages?receive_id_type=chat_id", token, Map.of("receive_id", "oc_sandbox_group",
                "msg_type", "interactive", "content", "{\"type\":\"card\",\"data\":{\"card_id\":\"999\"}}")).json().path("code").asInt())
                .isEqualTo(230099);
        JsonNode shown = call("GET", "/api/integrations/" + id + "/sandbox", key, null).json().path("messages").get(0);
        assertThat(JSON.readTree(shown.path("card").asText()).path("body").path("elements").get(0).path("content").asText()).isEqualTo("Hel");

        // images: multipart with image_type=message, bounded
        HttpResponse<String> image = upload(id, token, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}, "message");
        assertThat(JSON.readTree(image.body()).path("data").path("image_key").asText()).as(image.body()).startsWith("img_");
        assertThat(JSON.readTree(upload(id, token, new byte[] {1}, "avatar").body()).path("code").asInt()).isEqualTo(99992402);
        HttpResponse<String> big = upload(id, token, new byte[SandboxState.MAX_IMAGE_BYTES + 1], "message");
        assertThat(big.statusCode()).as(big.body()).isBetween(400, 499);
        assertThat(openApi("POST", id, "im/v1/images", token, Map.of("image_type", "message")).json().path("code").asInt()).isEqualTo(99992402);
        assertThat(upload(id, "t-forged", new byte[] {1}, "message").body()).contains("99991663");
    }

    private HttpResponse<String> upload(String integrationId, String token, byte[] image, String imageType) throws Exception {
        String boundary = "b-" + java.util.UUID.randomUUID();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image_type\"\r\n\r\n" + imageType + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(image);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(url("/sandbox/" + integrationId + "/open-apis/im/v1/images")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chatOf(JsonNode sandbox, String userId) {
        for (JsonNode chat : sandbox.path("chats")) {
            if (chat.path("userId").asText().equals(userId)) {
                return chat.path("chatId").asText();
            }
        }
        throw new IllegalStateException("no direct chat of " + userId);
    }

    @Test
    void theSandboxOpenApiAnswersOnlyToItsOwnApp() throws Exception {
        String key = newOrg();
        String a = newSandbox(key, "A").path("id").asText();
        String b = newSandbox(key, "B").path("id").asText();
        Integration appA = integrations.find(a).orElseThrow();
        Integration appB = integrations.find(b).orElseThrow();

        Answer token = openApi("POST", a, "auth/v3/tenant_access_token/internal", null,
                Map.of("app_id", appA.appId(), "app_secret", appA.appSecret()));
        assertThat(token.json().path("code").asInt()).as(token.raw()).isZero();
        String tokenA = token.text("tenant_access_token");
        assertThat(openApi("GET", a, "bot/v3/info", tokenA, null).json().path("bot").path("open_id").asText()).isNotBlank();

        // A's token is no token at B; B's credentials get no token at A
        Answer refused = openApi("GET", b, "bot/v3/info", tokenA, null);
        assertThat(refused.json().path("code").asInt()).as(refused.raw()).isEqualTo(99991663);
        assertThat(openApi("GET", b, "im/v1/chats", tokenA, null).json().path("code").asInt()).isEqualTo(99991663);
        assertThat(openApi("POST", a, "auth/v3/tenant_access_token/internal", null,
                Map.of("app_id", appB.appId(), "app_secret", appB.appSecret())).json().path("code").asInt()).isEqualTo(10014);

        // a non-sandbox integration has no sandbox
        String key2 = newOrg();
        LarkEmulator.App real = LARK.newApp();
        String webhook = newIntegration(key2, real, "webhook", null).path("id").asText();
        assertThat(openApi("POST", webhook, "auth/v3/tenant_access_token/internal", null,
                Map.of("app_id", real.appId(), "app_secret", real.appSecret())).status()).isEqualTo(404);
    }

    @Test
    void aSandboxKeepsAtMostAMegabyteOfContentTheOldestDroppedFirst() throws Exception {
        // 200 kept messages of 64 K characters each were 25 MB of heap a sandbox, and an organisation may have many sandboxes
        String key = newOrg();
        String id = newSandbox(key, "Big").path("id").asText();
        String token = sandboxToken(id);
        String big = "x".repeat(60_000);
        for (int i = 0; i < 25; i++) {
            Answer sent = openApi("POST", id, "im/v1/messages?receive_id_type=chat_id", token,
                    Map.of("receive_id", "oc_sandbox_group", "msg_type", "text", "content", i + big));
            assertThat(sent.json().path("code").asInt()).as(sent.raw()).isZero();
        }
        JsonNode messages = call("GET", "/api/integrations/" + id + "/sandbox", key, null).json().path("messages");
        long chars = 0;
        for (JsonNode m : messages) {
            chars += m.path("content").asText().length();
        }
        assertThat(chars).isLessThanOrEqualTo(1 << 20);
        // the newest are the ones kept
        assertThat(messages.get(messages.size() - 1).path("content").asText()).startsWith("24x");
        assertThat(messages.size()).isBetween(2, 17);
    }

    /** A tenant access token of the sandbox's app, as its own credentials get it. */
    private String sandboxToken(String integrationId) {
        Integration app = integrations.find(integrationId).orElseThrow();
        return openApi("POST", integrationId, "auth/v3/tenant_access_token/internal", null,
                Map.of("app_id", app.appId(), "app_secret", app.appSecret())).text("tenant_access_token");
    }

    private Answer openApi(String method, String integrationId, String path, String token, Object body) {
        return call(method, "/sandbox/" + integrationId + "/open-apis/" + path, token, body);
    }

    @Test
    void anotherOrganisationAndOtherModesGet404() {
        String key = newOrg();
        String id = newSandbox(key, "mine").path("id").asText();
        String other = newOrg();
        for (String[] verb : List.of(new String[] {"GET", "/sandbox"}, new String[] {"POST", "/sandbox/tickets"},
                new String[] {"POST", "/sandbox/messages"})) {
            Object body = verb[1].endsWith("messages") ? Map.of("userId", "ou_sandbox_ada", "chatId", "oc_sandbox_p2p_ada", "text", "hi") : null;
            Answer a = call(verb[0], "/api/integrations/" + id + verb[1], other, body);
            assertThat(a.status()).as(verb[0] + " " + verb[1] + ": " + a.raw()).isEqualTo(404);
            assertThat(a.text("error")).isEqualTo("not_found");
        }
        String webhook = newIntegration(key, LARK.newApp(), "webhook", null).path("id").asText();
        assertThat(call("GET", "/api/integrations/" + webhook + "/sandbox", key, null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/integrations/" + webhook + "/sandbox/tickets", key, null).status()).isEqualTo(404);
    }

    @Test
    void aStreamTicketExpiresAndOpensOnlyItsOwnIntegration() throws Exception {
        String key = newOrg();
        String id = newSandbox(key, "ticketed").path("id").asText();
        String otherId = newSandbox(key, "other").path("id").asText();
        String ticket = ticket(key, id);

        HttpResponse<String> wrongIntegration = openStreamOnce(otherId, ticket);
        assertThat(wrongIntegration.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrongIntegration.body()).path("error").asText()).isEqualTo("unauthorized");
        assertThat(openStreamOnce(id, ticket + "x").statusCode()).isEqualTo(401);

        clock.advance(Duration.ofSeconds(props.sandbox().ticketSeconds() + 1));
        assertThat(openStreamOnce(id, ticket).statusCode()).isEqualTo(401);

        CompletableStream fresh = listen(id, ticket(key, id));
        assertThat(fresh.future().get().statusCode()).isEqualTo(200);
        assertThat(fresh.future().get().headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    }
}
