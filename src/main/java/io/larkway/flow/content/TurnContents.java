package io.larkway.flow.content;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.camel.IntegrationApps;
import io.larkway.camel.lark.LarkApp;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.camel.lark.client.LarkClient;
import io.larkway.camel.lark.client.LarkResource;
import io.larkway.flow.FlowHeaders;
import io.larkway.flow.dispatch.MessageText;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.RecentErrors;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A turn's messages as the expert sees them (PRODUCT.md §10), completed at turn time (never on the ingress or inbox
 * threads): each sender's name, the quoted message ({@code parent_id}), forwarded messages expanded with their
 * senders, and the attachments fetched from Lark (at most {@code larkway.attachments.max-bytes} each). What cannot be
 * fetched is named in the text with the reason and shows on Status (recent errors); the turn goes on.
 */
@Component
public class TurnContents {
    private static final Logger LOG = LoggerFactory.getLogger(TurnContents.class);
    private static final int MAX_FORWARDED = 100;
    /** The most attachments one turn fetches (each a Lark call on the turn's thread); the rest are named, not fetched. */
    static final int MAX_ATTACHMENTS = 20;

    /** An attachment: its bytes, or why there are none. */
    public record Attachment(String messageId, String kind, String fileKey, String name, String mimeType, byte[] bytes, String error) {
        public boolean image() {
            return bytes != null && "image".equals(kind);
        }
    }

    /** One message: {@code messageId, type, text, sender{openId, name}, quoted?}, and its attachments. */
    public record Item(ObjectNode message, List<Attachment> attachments) {
    }

    /** The turn: its text (each line with its sender's name when several wrote), the last sender's name, the thread, its messages. */
    public record Content(String text, String senderName, String threadId, List<Item> items) {
        public List<Attachment> attachments() {
            return items.stream().flatMap(i -> i.attachments().stream()).toList();
        }
    }

    private final LarkClient lark;
    private final IntegrationApps apps;
    private final SenderNames names;
    private final RecentErrors errors;
    private final ObjectMapper json;
    private final long maxBytes;
    private final long maxTurnBytes;

    public TurnContents(LarkClient lark, IntegrationApps apps, SenderNames names, RecentErrors errors, ObjectMapper json, LarkwayProperties props) {
        this.lark = lark;
        this.apps = apps;
        this.names = names;
        this.errors = errors;
        this.json = json;
        this.maxBytes = props.attachments().maxBytes();
        this.maxTurnBytes = props.attachments().maxTurnBytes();
    }

    /**
     * The turn in the message (body: its joined text; header {@link FlowHeaders#TURN_MESSAGES}: its messages);
     * {@code imagesOnly}: only images are fetched (an openai expert: other files are named in the text).
     */
    public Content of(Message m, boolean imagesOnly) {
        String integrationId = m.getHeader(FlowHeaders.INTEGRATION_ID, String.class);
        String body = m.getBody(String.class);
        JsonNode described;
        try {
            described = json.readTree(m.getHeader(FlowHeaders.TURN_MESSAGES, "[]", String.class));
        } catch (Exception e) {
            described = json.createArrayNode();
        }
        LarkApp app = apps.app(integrationId).orElse(null);
        // the thread the session is scoped to (threadSessions: thread_id, else root_id), else the newest message's own thread
        String scoped = m.getHeader(FlowHeaders.THREAD_ID, String.class);
        if (!described.isArray() || described.isEmpty() || app == null) {
            String sender = m.getHeader(FlowHeaders.SENDER_OPEN_ID, String.class);
            return new Content(body, app == null ? null : names.name(integrationId, sender), scoped, List.of());
        }
        List<Item> items = new ArrayList<>();
        Set<String> senders = new LinkedHashSet<>();
        String threadId = null;
        // what the turn holds of attachments: at most maxTurnBytes in all, from at most MAX_ATTACHMENTS fetches
        long[] budget = {maxTurnBytes, MAX_ATTACHMENTS};
        for (JsonNode d : described) {
            String messageId = d.path("messageId").asText(null);
            String senderOpenId = d.path("senderOpenId").asText("");
            senders.add(senderOpenId);
            threadId = d.path("threadId").asText(threadId);
            ObjectNode message = json.createObjectNode().put("messageId", messageId).put("type", d.path("type").asText());
            StringBuilder text = new StringBuilder(d.path("text").asText(""));
            if ("merge_forward".equals(d.path("type").asText())) {
                text.setLength(0);
                text.append(forwarded(app, integrationId, messageId));
            }
            List<Attachment> attachments = new ArrayList<>();
            for (JsonNode r : d.path("resources")) {
                if (imagesOnly && !"image".equals(r.path("kind").asText())) {
                    continue;
                }
                Attachment a = fetch(app, integrationId, messageId, r, budget);
                attachments.add(a);
                if (a.error() != null) {
                    text.append("\n[").append(a.kind()).append(' ').append(a.name() == null ? a.fileKey() : a.name()).append(" not fetched: ")
                            .append(a.error()).append(']');
                }
            }
            message.put("text", text.toString());
            message.putObject("sender").put("openId", senderOpenId).put("name", names.name(integrationId, senderOpenId));
            if (d.hasNonNull("parentId")) {
                ObjectNode quoted = quoted(app, integrationId, messageId, d.path("parentId").asText());
                if (quoted != null) {
                    message.set("quoted", quoted);
                }
            }
            items.add(new Item(message, attachments));
        }
        boolean several = senders.size() > 1;
        List<String> lines = new ArrayList<>();
        for (Item i : items) {
            String name = i.message().path("sender").path("name").asText(i.message().path("sender").path("openId").asText(""));
            lines.add(several ? name + ": " + i.message().path("text").asText() : i.message().path("text").asText());
        }
        String lastName = items.get(items.size() - 1).message().path("sender").path("name").asText(null);
        return new Content(String.join("\n", lines), lastName, scoped != null ? scoped : threadId, items);
    }

    /** One attachment, within the turn's {@code budget} ({bytes left, fetches left}), which it uses up. */
    private Attachment fetch(LarkApp app, String integrationId, String messageId, JsonNode r, long[] budget) {
        String kind = r.path("kind").asText();
        String fileKey = r.path("fileKey").asText();
        String name = r.path("name").asText(null);
        try {
            if (budget[0] <= 0 || budget[1] <= 0) {
                throw new IllegalStateException("over the turn's cap of " + maxTurnBytes + " bytes or " + MAX_ATTACHMENTS + " attachments");
            }
            budget[1]--;
            long cap = Math.min(maxBytes, budget[0]);
            LarkResource got;
            try {
                got = lark.resource(app, messageId, fileKey, r.path("type").asText("file"), cap);
            } catch (RuntimeException e) {
                var failed = LarkApiClient.unwrap(e);
                if (cap < maxBytes && failed != null && failed.getMessage() != null && failed.getMessage().startsWith("larger than")) {
                    throw new IllegalStateException("larger than what is left of the turn's cap of " + maxTurnBytes + " bytes");
                }
                throw e;
            }
            budget[0] -= got.bytes().length;
            return new Attachment(messageId, kind, fileKey, name != null ? name : got.fileName(), got.mimeType(), got.bytes(), null);
        } catch (RuntimeException e) {
            String reason = e instanceof IllegalStateException ? e.getMessage() : LarkApiClient.unwrap(e).getMessage();
            LOG.warn("Attachment not fetched integrationId={} message_id={} file_key={}: {}", integrationId, messageId, fileKey, reason);
            errors.record(integrationId, "attachment", kind + " " + (name == null ? fileKey : name) + " not fetched: " + reason, messageId);
            return new Attachment(messageId, kind, fileKey, name, null, null, reason);
        }
    }

    /** The forwarded messages, one per line with its sender's name. */
    private String forwarded(LarkApp app, String integrationId, String messageId) {
        try {
            StringBuilder out = new StringBuilder("Forwarded messages:");
            int n = 0;
            for (JsonNode item : lark.message(app, messageId)) {
                if (!messageId.equals(item.path("upper_message_id").asText()) || ++n > MAX_FORWARDED) {
                    continue;
                }
                ObjectNode d = MessageText.describe(MessageText.fromApi(item, json), null, null, json);
                String sender = item.path("sender").path("id").asText("");
                String name = "user".equals(item.path("sender").path("sender_type").asText("user")) ? names.name(integrationId, sender) : null;
                out.append('\n').append(name != null ? name : sender.isEmpty() ? "someone" : sender).append(": ")
                        .append(d == null ? "[" + item.path("msg_type").asText("unknown") + "]" : d.path("text").asText());
            }
            return out.toString();
        } catch (RuntimeException e) {
            String reason = LarkApiClient.unwrap(e).getMessage();
            LOG.warn("Forwarded messages not fetched integrationId={} message_id={}: {}", integrationId, messageId, reason);
            errors.record(integrationId, "message", "forwarded messages not fetched: " + reason, messageId);
            return "[forwarded messages not fetched: " + reason + "]";
        }
    }

    /** {@code quoted{messageId, text, senderName}} of the message replied to, or null when Lark does not give it. */
    private ObjectNode quoted(LarkApp app, String integrationId, String messageId, String parentId) {
        try {
            JsonNode item = lark.message(app, parentId).path(0);
            if (item.isMissingNode()) {
                return null;
            }
            ObjectNode d = MessageText.describe(MessageText.fromApi(item, json), null, null, json);
            String sender = item.path("sender").path("id").asText("");
            return json.createObjectNode().put("messageId", parentId).put("text", d == null ? null : d.path("text").asText())
                    .put("senderName", "user".equals(item.path("sender").path("sender_type").asText("user")) ? names.name(integrationId, sender) : null);
        } catch (RuntimeException e) {
            LOG.info("Quoted message not fetched integrationId={} message_id={} parent_id={}: {}", integrationId, messageId, parentId,
                    LarkApiClient.unwrap(e).getMessage());
            return null;
        }
    }
}
