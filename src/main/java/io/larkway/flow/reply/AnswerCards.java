package io.larkway.flow.reply;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.expert.ExpertAnswer;
import io.larkway.platform.LarkwayProperties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * How an answer looks in Lark (PRODUCT.md §11, {@code larkway.reply.format}): plain text as a
 * {@code text} message, Markdown as an interactive card with a {@code markdown} element, its images
 * ({@code ![alt](url)}) uploaded ({@link AnswerImages}) and shown as {@code img} elements.
 */
@Component
public class AnswerCards {
    /** Headings, lists, quotes, fences, tables, emphasis, inline code, links and images: what LLM answers use. */
    private static final Pattern MARKDOWN = Pattern.compile(
            "(?m)^(#{1,6} |\\s*[-*+] |\\s*\\d{1,3}[.)] |> |```|~~~|\\|.*\\|\\s*$)"
                    + "|\\*\\*[^*\\n]+\\*\\*|__[^_\\n]+__|~~[^~\\n]+~~|(?<![\\w*])\\*[^*\\s][^*\\n]*\\*(?![\\w*])|`[^`\\n]+`|!?\\[[^\\]\\n]*]\\([^)\\s]+\\)");
    /** {@code ![alt](http(s)://…)}: an image of the answer. */
    private static final Pattern IMAGE = Pattern.compile("!\\[([^\\]\\n]{0,200})]\\((https?://[^)\\s]{1,2000})\\)");
    private static final int MAX_IMAGES = 10;

    private final ObjectMapper json;
    private final AnswerImages images;
    private final LarkwayProperties.Reply.Format configured;

    public AnswerCards(ObjectMapper json, AnswerImages images, LarkwayProperties props) {
        this.json = json;
        this.images = images;
        this.configured = props.reply().format();
    }

    /** Whether an answer of this expert format (null: a plain string) goes out as a card. */
    boolean asCard(String format, String text) {
        return switch (configured) {
            case text -> false;
            case card -> true;
            case auto -> ExpertAnswer.MARKDOWN.equals(format) || format == null && looksLikeMarkdown(text);
        };
    }

    static boolean looksLikeMarkdown(String text) {
        return text != null && MARKDOWN.matcher(text).find();
    }

    /**
     * A card of one part of a Markdown answer: markdown elements, with each image between them as an
     * {@code img} element (at most {@value #MAX_IMAGES} tried per part, shown or not, each a fetch of up to the timeout; an image that
     * cannot be shown, or is past those, stays as its alt text).
     */
    String card(String integrationId, String messageId, String markdown) {
        ObjectNode card = json.createObjectNode();
        card.putObject("config").put("wide_screen_mode", true);
        ArrayNode elements = card.putArray("elements");
        Matcher m = IMAGE.matcher(markdown);
        StringBuilder text = new StringBuilder();
        int from = 0;
        int tried = 0;
        while (m.find()) {
            text.append(markdown, from, m.start());
            from = m.end();
            String alt = m.group(1);
            String key = tried++ < MAX_IMAGES ? images.upload(integrationId, messageId, m.group(2)) : null;
            if (key == null) {
                text.append(alt);
                continue;
            }
            markdown(elements, text);
            ObjectNode img = elements.addObject().put("tag", "img").put("img_key", key);
            img.putObject("alt").put("tag", "plain_text").put("content", alt);
        }
        text.append(markdown, from, markdown.length());
        markdown(elements, text);
        if (elements.isEmpty()) {
            elements.addObject().put("tag", "markdown").put("content", markdown);
        }
        return card.toString();
    }

    private static void markdown(ArrayNode elements, StringBuilder text) {
        if (!text.toString().isBlank()) {
            elements.addObject().put("tag", "markdown").put("content", text.toString().strip());
        }
        text.setLength(0);
    }
}
