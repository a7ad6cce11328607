package io.larkway.expert;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.expert.ExpertCalls.ExpertException;
import java.nio.charset.StandardCharsets;

/**
 * An expert's answer and how it wants it shown (PRODUCT.md §11): {@code {"text": …}} as plain text,
 * {@code {"markdown": …}} as a card with a markdown element, {@code {"card": {…}}} as the Lark card it
 * is (a JSON object of at most {@link #MAX_CARD_BYTES}); a plain string ({@code format} null, e.g.
 * an openai expert's) is left to {@code larkway.reply.format}.
 */
public record ExpertAnswer(String format, String content) {
    public static final String TEXT = "text";
    public static final String MARKDOWN = "markdown";
    public static final String CARD = "card";
    /** Lark refuses card messages over 30 KB. */
    public static final int MAX_CARD_BYTES = 30 * 1024;

    /** A plain string, its form decided by larkway.reply.format. */
    public static ExpertAnswer plain(String text) {
        return new ExpertAnswer(null, text);
    }

    /** Whether a JSON answer is one of the formats (a card, markdown or text member). */
    static boolean isFormatted(JsonNode answer) {
        return answer != null && answer.isObject() && (answer.has(CARD) || answer.has(MARKDOWN) || answer.has(TEXT));
    }

    /**
     * The answer in a JSON object; {@code who} names the expert type in errors. A {@code card} wins,
     * then {@code markdown}, then {@code text} (or the older {@code answer}, a plain string).
     */
    static ExpertAnswer of(JsonNode answer, String who) {
        if (answer == null || !answer.isObject()) {
            throw new ExpertException(who + " expert answered something that is not a JSON object");
        }
        if (answer.has(CARD)) {
            JsonNode card = answer.get(CARD);
            if (!card.isObject()) {
                throw new ExpertException(who + " expert answered a card that is not a JSON object");
            }
            String json = card.toString();
            if (json.length() > MAX_CARD_BYTES / 4 && json.getBytes(StandardCharsets.UTF_8).length > MAX_CARD_BYTES) {
                throw new ExpertException(who + " expert answered a card larger than " + MAX_CARD_BYTES + " bytes");
            }
            return new ExpertAnswer(CARD, json);
        }
        if (answer.path(MARKDOWN).isTextual() && !answer.path(MARKDOWN).asText().isEmpty()) {
            return new ExpertAnswer(MARKDOWN, answer.path(MARKDOWN).asText());
        }
        if (answer.path(TEXT).isTextual() && !answer.path(TEXT).asText().isEmpty()) {
            return new ExpertAnswer(TEXT, answer.path(TEXT).asText());
        }
        if (answer.path("answer").isTextual() && !answer.path("answer").asText().isEmpty()) {
            return plain(answer.path("answer").asText());
        }
        throw new ExpertException(who + " expert answered without a text, markdown or card field");
    }
}
