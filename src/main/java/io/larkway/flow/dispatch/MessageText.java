package io.larkway.flow.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;

/**
 * What an expert sees of a Lark message (PRODUCT.md §10), read from the message alone (no Lark call): its text for
 * every message type (text, post with links, mentions, code, emotions and images, image, file, audio, media, sticker,
 * merge_forward, interactive, share_chat, share_user, location; any other as {@code [<type>]}), the bot's own
 * {@code @_user_N} mention removed and other mentions as {@code @name}, and the resources to fetch at turn time.
 */
public final class MessageText {
    private MessageText() {
    }

    /** The message's text, or null when its content cannot be read. */
    public static String of(JsonNode message, String botOpenId, ObjectMapper json) {
        ObjectNode d = describe(message, null, botOpenId, json);
        return d == null ? null : d.path("text").asText();
    }

    /**
     * The message as a turn keeps it: {@code messageId, type, senderOpenId, text, parentId, threadId,
     * resources[{kind, fileKey, name, type}]} ({@code type} is the resource API's {@code image|file}); null when
     * its content cannot be read.
     */
    public static ObjectNode describe(JsonNode message, String senderOpenId, String botOpenId, ObjectMapper json) {
        String type = message.path("message_type").asText("");
        JsonNode content;
        try {
            content = json.readTree(message.path("content").asText("{}"));
        } catch (Exception e) {
            return null;
        }
        if (content == null || !content.isObject()) {
            return null;
        }
        ObjectNode d = json.createObjectNode().put("messageId", message.path("message_id").asText(null)).put("type", type)
                .put("senderOpenId", senderOpenId);
        ArrayNode resources = json.createArrayNode();
        String raw = switch (type) {
            case "text" -> content.path("text").asText("");
            case "post" -> post(content, resources);
            case "image" -> resource(resources, "image", content.path("image_key").asText(""), null, "image", "[image]");
            case "file" -> resource(resources, "file", content.path("file_key").asText(""), content.path("file_name").asText(null), "file",
                    "[file: " + content.path("file_name").asText("unnamed") + "]");
            case "audio" -> resource(resources, "audio", content.path("file_key").asText(""), null, "file",
                    "[audio" + (content.has("duration") ? ", " + content.path("duration").asLong() / 1000 + " s" : "") + "]");
            case "media" -> resource(resources, "media", content.path("file_key").asText(""), content.path("file_name").asText(null), "file",
                    "[video: " + content.path("file_name").asText("unnamed") + "]");
            case "sticker" -> "[sticker]";
            case "merge_forward" -> "[forwarded messages]";
            case "interactive" -> card(content);
            case "share_chat" -> "[shared chat: " + content.path("chat_id").asText("") + "]";
            case "share_user" -> "[shared user: " + content.path("user_id").asText("") + "]";
            case "location" -> "[location: " + content.path("name").asText("") + " (" + content.path("latitude").asText("") + ", "
                    + content.path("longitude").asText("") + ")]";
            default -> "[" + (type.isEmpty() ? "unknown" : type) + "]";
        };
        Map<String, String> names = new HashMap<>();
        for (JsonNode mention : message.path("mentions")) {
            String key = mention.path("key").asText("");
            String openId = mention.path("id").isObject() ? mention.path("id").path("open_id").asText() : mention.path("id").asText();
            boolean bot = botOpenId != null && botOpenId.equals(openId);
            names.put(key, bot ? "" : "@" + mention.path("name").asText("someone"));
        }
        // longest keys first, so @_user_1 never eats the start of @_user_10
        String text = raw;
        for (String key : names.keySet().stream().filter(k -> !k.isEmpty()).sorted((a, b) -> b.length() - a.length()).toList()) {
            text = text.replace(key, names.get(key));
        }
        d.put("text", text.replaceAll("[ \\t]{2,}", " ").strip());
        if (!message.path("parent_id").asText("").isEmpty()) {
            d.put("parentId", message.path("parent_id").asText());
        }
        if (!message.path("thread_id").asText("").isEmpty()) {
            d.put("threadId", message.path("thread_id").asText());
        }
        d.set("resources", resources);
        return d;
    }

    /**
     * A message as Lark's message get API (LarkClient.message) gives it ({@code msg_type}, {@code body.content},
     * {@code sender.id}, mentions with a plain id) in the shape of an event's message.
     */
    public static ObjectNode fromApi(JsonNode item, ObjectMapper json) {
        ObjectNode m = json.createObjectNode().put("message_id", item.path("message_id").asText(null))
                .put("message_type", item.path("msg_type").asText("")).put("content", item.path("body").path("content").asText("{}"));
        if (!item.path("parent_id").asText("").isEmpty()) {
            m.put("parent_id", item.path("parent_id").asText());
        }
        m.set("mentions", item.path("mentions").isArray() ? item.path("mentions") : json.createArrayNode());
        return m;
    }

    private static String resource(ArrayNode resources, String kind, String fileKey, String name, String apiType, String text) {
        if (!fileKey.isEmpty()) {
            resources.addObject().put("kind", kind).put("fileKey", fileKey).put("name", name).put("type", apiType);
        }
        return text;
    }

    /** A post's title and paragraphs as plain text; the content may be localised ({"zh_cn":{…}}). Its images and videos are resources. */
    private static String post(JsonNode content, ArrayNode resources) {
        JsonNode body = content.has("content") ? content : content.elements().hasNext() ? content.elements().next() : content;
        StringBuilder out = new StringBuilder();
        String title = body.path("title").asText("");
        if (!title.isEmpty()) {
            out.append(title).append('\n');
        }
        for (JsonNode paragraph : body.path("content")) {
            for (JsonNode element : paragraph) {
                switch (element.path("tag").asText("")) {
                    case "text", "md" -> out.append(element.path("text").asText(""));
                    case "a" -> {
                        String text = element.path("text").asText("");
                        String href = element.path("href").asText("");
                        out.append(href.isEmpty() || href.equals(text) ? text : text + " (" + href + ")");
                    }
                    case "at" -> out.append(element.path("user_id").asText("").startsWith("@_user_")
                            ? element.path("user_id").asText("") : "@" + element.path("user_name").asText(""));
                    case "img" -> out.append(resource(resources, "image", element.path("image_key").asText(""), null, "image", "[image]"));
                    case "media" -> out.append(resource(resources, "media", element.path("file_key").asText(""), null, "file", "[video]"));
                    case "emotion" -> out.append(':').append(element.path("emoji_type").asText("")).append(':');
                    case "code_block" -> {
                        if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
                            out.append('\n');
                        }
                        out.append("```").append(element.path("language").asText("").toLowerCase(java.util.Locale.ROOT)).append('\n')
                                .append(element.path("text").asText("").strip()).append("\n```");
                    }
                    case "hr" -> out.append("---");
                    default -> {
                    }
                }
            }
            out.append('\n');
        }
        return out.toString().strip();
    }

    /** A card's title and the texts of its elements, one per line. */
    private static String card(JsonNode content) {
        StringBuilder out = new StringBuilder();
        collect(content, out, 0);
        String text = out.toString().strip();
        return text.isEmpty() ? "[card]" : text;
    }

    private static void collect(JsonNode node, StringBuilder out, int depth) {
        if (depth > 32) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getValue().isTextual() && (f.getKey().equals("title") || f.getKey().equals("text") || f.getKey().equals("content"))) {
                    out.append(f.getValue().asText()).append('\n');
                } else if (f.getValue().isContainerNode()) {
                    collect(f.getValue(), out, depth + 1);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, out, depth + 1));
        }
    }
}
