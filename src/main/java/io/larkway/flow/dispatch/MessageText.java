package io.larkway.flow.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;

/**
 * The text an expert sees for a Lark message: {@code text} and {@code post} contents decoded,
 * the bot's own {@code @_user_N} mention removed and other mentions replaced by {@code @name}.
 * Other message types have no text (null).
 */
public final class MessageText {
    private MessageText() {
    }

    public static String of(JsonNode message, String botOpenId, ObjectMapper json) {
        String type = message.path("message_type").asText("");
        JsonNode content;
        try {
            content = json.readTree(message.path("content").asText("{}"));
        } catch (Exception e) {
            return null;
        }
        String raw = switch (type) {
            case "text" -> content.path("text").asText("");
            case "post" -> post(content);
            default -> null;
        };
        if (raw == null) {
            return null;
        }
        Map<String, String> names = new HashMap<>();
        for (JsonNode mention : message.path("mentions")) {
            String key = mention.path("key").asText("");
            boolean bot = botOpenId != null && botOpenId.equals(mention.path("id").path("open_id").asText());
            names.put(key, bot ? "" : "@" + mention.path("name").asText("someone"));
        }
        // longest keys first, so @_user_1 never eats the start of @_user_10
        String text = raw;
        for (String key : names.keySet().stream().sorted((a, b) -> b.length() - a.length()).toList()) {
            text = text.replace(key, names.get(key));
        }
        return text.replaceAll("[ \\t]{2,}", " ").strip();
    }

    /** A post's title and paragraphs as plain text; the content may be localised ({"zh_cn":{…}}). */
    private static String post(JsonNode content) {
        JsonNode body = content.has("content") ? content : content.elements().hasNext() ? content.elements().next() : content;
        StringBuilder out = new StringBuilder();
        String title = body.path("title").asText("");
        if (!title.isEmpty()) {
            out.append(title).append('\n');
        }
        for (JsonNode paragraph : body.path("content")) {
            for (JsonNode element : paragraph) {
                switch (element.path("tag").asText("")) {
                    case "text", "a" -> out.append(element.path("text").asText(""));
                    case "at" -> out.append(element.path("user_id").asText("").startsWith("@_user_")
                            ? element.path("user_id").asText("") : "@" + element.path("user_name").asText(""));
                    default -> {
                    }
                }
            }
            out.append('\n');
        }
        return out.toString().strip();
    }
}
