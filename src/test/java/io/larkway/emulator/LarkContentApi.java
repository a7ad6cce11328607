package io.larkway.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator's content APIs (PRODUCT.md §10), in the shapes of the official SDK's models
 * (im.v1 GetMessageRespBody/Message/Sender/MessageBody/Mention, contact.v3 GetUserRespBody/User):
 * {@code GET /open-apis/im/v1/messages/{id}/resources/{file_key}?type=image|file} (the bytes),
 * {@code GET /open-apis/im/v1/messages/{id}} (a message; a merge_forward with the messages it forwards) and
 * {@code GET /open-apis/contact/v3/users/{open_id}?user_id_type=open_id}. Registered once per emulator ({@link #of}).
 * Also builds the event message content of every message type.
 */
public final class LarkContentApi implements LarkEmulator.Extension {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<LarkEmulator, LarkContentApi> BY_EMULATOR = new ConcurrentHashMap<>();
    private static final Pattern RESOURCE = Pattern.compile("/open-apis/im/v1/messages/([^/]+)/resources/([^/]+)");
    private static final Pattern MESSAGE = Pattern.compile("/open-apis/im/v1/messages/([^/]+)");
    private static final Pattern USER = Pattern.compile("/open-apis/contact/v3/users/([^/]+)");

    /** A message resource: its bytes, the Content-Type Lark answers and its file name. */
    public record Resource(byte[] bytes, String mimeType, String fileName) {
    }

    private final LarkEmulator lark;
    private final Map<String, Resource> resources = new ConcurrentHashMap<>(); // appId/messageId/fileKey
    private final Map<String, List<ObjectNode>> messages = new ConcurrentHashMap<>(); // appId/messageId
    private final Map<String, String> users = new ConcurrentHashMap<>(); // appId/openId -> name
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> usersDown = new ConcurrentHashMap<>(); // appId -> lookups left to fail

    private LarkContentApi(LarkEmulator lark) {
        this.lark = lark;
    }

    /** The content APIs of this emulator (added to it the first time). */
    public static LarkContentApi of(LarkEmulator lark) {
        return BY_EMULATOR.computeIfAbsent(lark, l -> {
            LarkContentApi api = new LarkContentApi(l);
            l.addExtension(api);
            return api;
        });
    }

    public void resource(String appId, String messageId, String fileKey, byte[] bytes, String mimeType, String fileName) {
        resources.put(appId + "/" + messageId + "/" + fileKey, new Resource(bytes, mimeType, fileName));
    }

    /** The app's next {@code times} user lookups answer HTTP 500 (an outage, not a refusal). */
    public void usersDown(String appId, int times) {
        usersDown.put(appId, new java.util.concurrent.atomic.AtomicInteger(times));
    }

    /** A user the contact API knows (others: Lark refuses, code 41050). */
    public void user(String appId, String openId, String name) {
        users.put(appId + "/" + openId, name);
    }

    /** A message {@code GET …/messages/{id}} answers (a merge_forward: itself, then {@code forwarded}, each with upper_message_id). */
    public void message(String appId, ObjectNode item, ObjectNode... forwarded) {
        List<ObjectNode> items = new java.util.ArrayList<>();
        items.add(item);
        for (ObjectNode f : forwarded) {
            items.add(f.put("upper_message_id", item.path("message_id").asText()));
        }
        messages.put(appId + "/" + item.path("message_id").asText(), items);
    }

    /** A message as {@code GET /open-apis/im/v1/messages/{id}} gives it (SDK im.v1 Message). */
    public static ObjectNode item(String messageId, String msgType, String content, String senderOpenId, String chatId) {
        ObjectNode m = JSON.createObjectNode().put("message_id", messageId).put("root_id", "").put("parent_id", "").put("msg_type", msgType)
                .put("create_time", String.valueOf(System.currentTimeMillis())).put("update_time", String.valueOf(System.currentTimeMillis()))
                .put("deleted", false).put("updated", false).put("chat_id", chatId);
        m.putObject("sender").put("id", senderOpenId).put("id_type", "open_id").put("sender_type", "user").put("tenant_key", "tenant-1");
        m.putObject("body").put("content", content);
        m.putArray("mentions");
        return m;
    }

    /** The content of a post (rich text) with these paragraphs (each a list of elements such as {"tag":"img","image_key":…}). */
    public static String post(String title, List<List<Map<String, Object>>> paragraphs) {
        ObjectNode post = JSON.createObjectNode().put("title", title);
        post.set("content", JSON.valueToTree(paragraphs));
        return post.toString();
    }

    @Override
    public boolean handle(HttpServerRequest req, Buffer body) {
        if (!req.method().name().equals("GET")) {
            return false;
        }
        String path = req.path();
        Matcher m;
        if ((m = RESOURCE.matcher(path)).matches()) {
            LarkEmulator.App app = authorised(req);
            if (app == null) {
                return true;
            }
            String type = req.getParam("type");
            Resource r = resources.get(app.appId() + "/" + m.group(1) + "/" + m.group(2));
            if (!"image".equals(type) && !"file".equals(type)) {
                reply(req, 400, JSON.createObjectNode().put("code", 234001).put("msg", "Invalid request param: type"));
            } else if (r == null) {
                reply(req, 400, JSON.createObjectNode().put("code", 234003).put("msg", "File not in msg."));
            } else {
                req.response().setStatusCode(200).putHeader("content-type", r.mimeType())
                        .putHeader("content-disposition", "attachment; filename=\"" + r.fileName() + "\"").end(Buffer.buffer(r.bytes()));
            }
            return true;
        }
        if ((m = MESSAGE.matcher(path)).matches()) {
            LarkEmulator.App app = authorised(req);
            if (app == null) {
                return true;
            }
            List<ObjectNode> items = messages.get(app.appId() + "/" + m.group(1));
            if (items == null) {
                reply(req, 400, JSON.createObjectNode().put("code", 230001).put("msg", "Your request contains an invalid request parameter, ext=invalid message_id"));
                return true;
            }
            ObjectNode out = JSON.createObjectNode().put("code", 0).put("msg", "success");
            ArrayNode list = out.putObject("data").putArray("items");
            items.forEach(list::add);
            reply(req, 200, out);
            return true;
        }
        if ((m = USER.matcher(path)).matches() && !path.endsWith("/find_by_department")) {
            LarkEmulator.App app = authorised(req);
            if (app == null) {
                return true;
            }
            java.util.concurrent.atomic.AtomicInteger down = usersDown.get(app.appId());
            if (down != null && down.getAndDecrement() > 0) {
                reply(req, 500, JSON.createObjectNode().put("code", 1).put("msg", "internal error"));
                return true;
            }
            String name = users.get(app.appId() + "/" + m.group(1));
            if (name == null || !"open_id".equals(req.getParam("user_id_type"))) {
                reply(req, 400, JSON.createObjectNode().put("code", 41050).put("msg", "no user authority error"));
                return true;
            }
            ObjectNode out = JSON.createObjectNode().put("code", 0).put("msg", "success");
            out.putObject("data").putObject("user").put("open_id", m.group(1)).put("union_id", "on_" + m.group(1)).put("name", name)
                    .put("en_name", name);
            reply(req, 200, out);
            return true;
        }
        return false;
    }

    private LarkEmulator.App authorised(HttpServerRequest req) {
        LarkEmulator.App app = lark.authorised(req);
        if (app == null) {
            reply(req, 400, JSON.createObjectNode().put("code", 99991663).put("msg", "Invalid access token for authorization."));
        }
        return app;
    }

    private static void reply(HttpServerRequest req, int status, Object body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(body.toString());
    }
}
