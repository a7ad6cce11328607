package io.larkway.sandbox;

import static io.larkway.sandbox.LarkAnswers.answer;
import static io.larkway.sandbox.LarkAnswers.error;
import static io.larkway.sandbox.LarkAnswers.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.admin.Integration;
import io.larkway.camel.lark.webhook.WebhookCrypto;
import io.larkway.platform.LarkwayProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

/**
 * larkway playing Lark for its sandbox integrations: the Open API the flow calls, under
 * {@code /sandbox/{integrationId}/open-apis/...} (the integration's Lark base URL is
 * {@code /sandbox/{integrationId}}, see {@link io.larkway.platform.LarkBaseUrls}). Only a sandbox
 * integration has one, and it answers only to that integration's app: its App ID and Secret for a
 * tenant token, that token for everything else (another sandbox's token is an invalid token, code
 * 99991663, as Lark answers). Answers are shaped as Lark's ({@code {code, msg, data}}).
 */
@RestController
public class SandboxOpenApi {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxOpenApi.class);
    private static final int INVALID_TOKEN = 99991663;
    /** The longest message content a sandbox keeps (Lark refuses long ones too, code 230025): 200 kept messages stay small. */
    static final int MAX_CONTENT = 65536;

    private final Sandboxes sandboxes;
    private final SandboxCardKit cards;
    private final ObjectMapper json;
    private final Clock clock;
    private final int maxBodyBytes;

    public SandboxOpenApi(Sandboxes sandboxes, SandboxCardKit cards, ObjectMapper json, Clock clock, LarkwayProperties props) {
        this.sandboxes = sandboxes;
        this.cards = cards;
        this.json = json;
        this.clock = clock;
        this.maxBodyBytes = props.maxBodyBytes();
    }

    @RequestMapping("/sandbox/{integrationId}/open-apis/**")
    public ResponseEntity<String> call(@PathVariable String integrationId, HttpServletRequest request) throws IOException {
        Optional<Integration> found = sandboxes.integration(integrationId);
        if (found.isEmpty()) {
            return answer(404, error(404, "404 page not found"));
        }
        Integration sandbox = found.get();
        SandboxState state = sandboxes.state(sandbox);
        String method = request.getMethod();
        List<String> path;
        try {
            path = segments(request.getRequestURI());
        } catch (IllegalArgumentException e) {
            return answer(400, error(9499, "the path is not valid"));
        }
        // a multipart upload (an image) is read by its parts (SandboxCardKit), bounded by the web server's multipart limits
        boolean multipart = request.getContentType() != null && request.getContentType().toLowerCase().startsWith("multipart/");
        byte[] raw = multipart ? new byte[0] : request.getInputStream().readNBytes(maxBodyBytes + 1);
        if (raw.length > maxBodyBytes) {
            return answer(400, error(9499, "the body is larger than " + maxBodyBytes + " bytes"));
        }
        JsonNode body;
        try {
            body = raw.length == 0 ? json.createObjectNode() : json.readTree(raw);
        } catch (IOException e) {
            return answer(400, error(9499, "the body is not JSON"));
        }
        if (method.equals("POST") && path.equals(List.of("auth", "v3", "tenant_access_token", "internal"))) {
            if (!WebhookCrypto.tokenMatches(sandbox.appId(), body.path("app_id").asText(null))
                    || !WebhookCrypto.tokenMatches(sandbox.appSecret(), body.path("app_secret").asText(null))) {
                LOG.info("Sandbox refused a token request integrationId={}: wrong app id or secret", integrationId);
                return answer(400, error(10014, "app secret invalid"));
            }
            return answer(200, ok().put("tenant_access_token", state.issueToken(clock.millis())).put("expire", SandboxState.TOKEN_SECONDS));
        }
        String auth = request.getHeader("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !state.tokenValid(auth.substring(7).trim(), clock.millis())) {
            LOG.info("Sandbox refused a call integrationId={} {}: invalid access token", integrationId, method);
            return answer(400, error(INVALID_TOKEN, "Invalid access token for authorization. Please make a request with token attached."));
        }
        return route(sandbox, state, method, path, request, body);
    }

    private ResponseEntity<String> route(Integration sandbox, SandboxState state, String method, List<String> p, HttpServletRequest request,
            JsonNode body) throws IOException {
        long now = clock.millis();
        int n = p.size();
        if (method.equals("GET") && p.equals(List.of("bot", "v3", "info"))) {
            ObjectNode out = ok();
            out.putObject("bot").put("open_id", state.botOpenId()).put("app_name", sandbox.name()).put("avatar_url", "")
                    .put("activate_status", 2).putArray("ip_white_list");
            return answer(200, out);
        }
        if (method.equals("GET") && p.equals(List.of("contact", "v3", "users", "find_by_department"))) {
            ObjectNode out = ok();
            ObjectNode data = out.putObject("data").put("has_more", false).put("page_token", "");
            ArrayNode items = data.putArray("items");
            state.users().forEach(u -> items.addObject().put("open_id", u.openId()).put("union_id", "on_" + u.openId())
                    .put("name", u.name()).put("en_name", u.name()));
            return answer(200, out);
        }
        Optional<ResponseEntity<String>> card = cards.handle(state, method, p, request, body, now);
        if (card.isPresent()) {
            return card.get();
        }
        boolean im = n >= 3 && p.get(0).equals("im") && p.get(1).equals("v1");
        if (im && method.equals("GET") && n == 3 && p.get(2).equals("chats")) {
            ObjectNode out = ok();
            ObjectNode data = out.putObject("data").put("has_more", false).put("page_token", "");
            ArrayNode items = data.putArray("items");
            state.chats().stream().filter(c -> c.type().equals("group")).forEach(c -> items.addObject().put("chat_id", c.chatId())
                    .put("name", c.name()).put("description", "").put("avatar", "").put("external", false).put("tenant_key", "sandbox"));
            return answer(200, out);
        }
        if (!im || !p.get(2).equals("messages")) {
            return answer(404, error(404, "404 page not found"));
        }
        if (method.equals("POST") && n == 3) {
            String type = request.getParameter("receive_id_type");
            String receiver = body.path("receive_id").asText("");
            Optional<SandboxState.Chat> chat = "chat_id".equals(type) ? state.chat(receiver)
                    : "open_id".equals(type) ? state.p2pOf(receiver) : Optional.empty();
            if (type == null) {
                return answer(400, error(99992402, "field validation failed: receive_id_type"));
            }
            if (chat.isEmpty()) {
                return answer(400, error(230001, "invalid receive_id " + receiver.substring(0, Math.min(100, receiver.length()))));
            }
            return sent(state, chat.get().chatId(), sandbox, body, null, now);
        }
        if (n < 4) {
            return answer(404, error(404, "404 page not found"));
        }
        Optional<SandboxState.Message> target = state.message(p.get(3));
        if (target.isEmpty()) {
            return answer(400, error(230011, "the message does not exist or was dropped from the sandbox"));
        }
        SandboxState.Message m = target.get();
        if (n == 4 && method.equals("GET")) {
            ObjectNode out = ok();
            message(out.putObject("data").putArray("items").addObject(), sandbox, state, m);
            return answer(200, out);
        }
        if (n == 4 && method.equals("PATCH")) {
            if (!m.fromBot || !"interactive".equals(m.msgType)) {
                return answer(400, error(230001, "only the bot's own cards can be updated"));
            }
            String content = body.path("content").asText("");
            if (content.length() > MAX_CONTENT) {
                return answer(400, error(230025, "the message content is longer than " + MAX_CONTENT + " characters"));
            }
            state.patch(m.messageId, content, now);
            return answer(200, ok());
        }
        if (n == 5 && method.equals("POST") && p.get(4).equals("reply")) {
            return sent(state, m.chatId, sandbox, body, m.messageId, now);
        }
        if (n == 5 && method.equals("POST") && p.get(4).equals("reactions")) {
            String emoji = body.path("reaction_type").path("emoji_type").asText("");
            if (emoji.isBlank() || emoji.length() > 64) {
                return answer(400, error(231001, "reaction_type.emoji_type is invalid"));
            }
            Optional<SandboxState.Reaction> r = state.react(m.messageId, emoji, sandbox.appId());
            if (r.isEmpty()) {
                return answer(400, error(231003, "the message has too many reactions"));
            }
            return answer(200, reaction(r.get(), now));
        }
        if (n == 6 && method.equals("DELETE") && p.get(4).equals("reactions")) {
            Optional<SandboxState.Reaction> r = state.unreact(m.messageId, p.get(5));
            return r.isEmpty() ? answer(400, error(231002, "the reaction does not exist")) : answer(200, reaction(r.get(), now));
        }
        return answer(404, error(404, "404 page not found"));
    }

    private ResponseEntity<String> sent(SandboxState state, String chatId, Integration sandbox, JsonNode body, String parentId, long now)
            throws IOException {
        String msgType = body.path("msg_type").asText("");
        String content = body.path("content").asText(null);
        if (!List.of("text", "post", "interactive").contains(msgType) || content == null) {
            return answer(400, error(230001, "msg_type must be text, post or interactive, with content"));
        }
        if (content.length() > MAX_CONTENT) {
            return answer(400, error(230025, "the message content is longer than " + MAX_CONTENT + " characters"));
        }
        String unrenderable = "interactive".equals(msgType) ? cardProblem(state, content) : null;
        if (unrenderable != null) {
            return answer(400, error(230099, "Failed to create card content, ext=ErrCode: 200621; ErrMsg: " + unrenderable));
        }
        String uuid = body.path("uuid").asText(null);
        SandboxState.Message m = state.botMessage(chatId, sandbox.appId(), msgType, content, parentId, uuid, now);
        LOG.debug("Sandbox message from the bot integrationId={} message_id={} chat={}", sandbox.id(), m.messageId, chatId);
        ObjectNode out = ok();
        message(out.putObject("data"), sandbox, state, m);
        return answer(200, out);
    }

    /** Why Lark would not show this card, or null: a card entity of this sandbox ({@code {"type":"card","data":{"card_id"}}}) or a card JSON object. */
    private String cardProblem(SandboxState state, String content) {
        JsonNode card;
        try {
            card = json.readTree(content);
        } catch (IOException e) {
            return "card content is not JSON";
        }
        if (card == null || !card.isObject()) {
            return "card content is not a JSON object";
        }
        if ("card".equals(card.path("type").asText())) {
            return state.card(card.path("data").path("card_id").asText(null)).isPresent() ? null : "card_id not found";
        }
        return null;
    }

    /** A message as Lark shows it ({@code im.v1.message}). */
    private static void message(ObjectNode out, Integration sandbox, SandboxState state, SandboxState.Message m) {
        out.put("message_id", m.messageId).put("root_id", m.parentId == null ? "" : m.parentId).put("parent_id", m.parentId == null ? "" : m.parentId)
                .put("msg_type", m.msgType).put("create_time", String.valueOf(m.createTime)).put("update_time", String.valueOf(m.updateTime))
                .put("deleted", false).put("updated", m.updateTime != m.createTime).put("chat_id", m.chatId);
        out.putObject("sender").put("id", m.fromBot ? sandbox.appId() : m.senderId).put("id_type", m.fromBot ? "app_id" : "open_id")
                .put("sender_type", m.fromBot ? "app" : "user").put("tenant_key", "sandbox");
        out.putObject("body").put("content", m.content);
    }

    private ObjectNode reaction(SandboxState.Reaction r, long now) {
        ObjectNode out = ok();
        ObjectNode data = out.putObject("data").put("reaction_id", r.reactionId()).put("action_time", String.valueOf(now));
        data.putObject("operator").put("operator_id", r.operatorId()).put("operator_type", "app");
        data.putObject("reaction_type").put("emoji_type", r.emoji());
        return out;
    }

    /** The decoded path segments after {@code /sandbox/{id}/open-apis/}. */
    private static List<String> segments(String uri) {
        String rest = uri.substring(uri.indexOf("/open-apis/") + "/open-apis/".length());
        return Arrays.stream(rest.split("/", -1)).map(s -> UriUtils.decode(s, StandardCharsets.UTF_8)).toList();
    }

}
