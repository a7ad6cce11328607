package io.larkway.flow.window;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.larkway.flow.FlowHeaders;
import io.larkway.flow.TurnMessages;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Message;

/**
 * The messages of an open window one by one, as header {@link FlowHeaders#WINDOW_PARTS} (a JSON string, so it
 * survives the JDBC repository): what lets a recalled message be taken out of a window ({@link #without}).
 */
public final class WindowParts {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message of a window. */
    public record Part(String id, String text, String sender) {
    }

    private WindowParts() {
    }

    /** The parts {@code json} (null: none yet) with the message {@code in} added. */
    static String with(String json, Message in) {
        List<Part> parts = new ArrayList<>(read(json));
        parts.add(new Part(in.getHeader(FlowHeaders.MESSAGE_ID, String.class), in.getBody(String.class),
                in.getHeader(FlowHeaders.SENDER_OPEN_ID, String.class)));
        return write(parts);
    }

    /**
     * Takes message {@code messageId} out of the window {@code m}: texts, the turn's messages, message ids and the answered
     * message (the newest left) follow. False when the window does not hold it; the window is then unchanged.
     */
    public static boolean without(Message m, String messageId) {
        List<Part> parts = new ArrayList<>(read(m.getHeader(FlowHeaders.WINDOW_PARTS, String.class)));
        if (!parts.removeIf(p -> messageId.equals(p.id()))) {
            return false;
        }
        m.setHeader(FlowHeaders.WINDOW_PARTS, write(parts));
        // what the expert sees is rebuilt from these at turn time (TurnContents): the recalled message leaves them too
        m.setHeader(FlowHeaders.TURN_MESSAGES, TurnMessages.without(m.getHeader(FlowHeaders.TURN_MESSAGES, String.class), messageId));
        m.setHeader(FlowHeaders.MESSAGE_IDS, String.join(",", parts.stream().map(Part::id).toList()));
        m.setBody(String.join("\n", parts.stream().map(Part::text).toList()));
        if (!parts.isEmpty()) {
            Part newest = parts.get(parts.size() - 1);
            m.setHeader(FlowHeaders.MESSAGE_ID, newest.id());
            m.setHeader(FlowHeaders.SENDER_OPEN_ID, newest.sender());
        }
        return true;
    }

    /** How many messages the window holds. */
    public static int count(Message m) {
        return read(m.getHeader(FlowHeaders.WINDOW_PARTS, String.class)).size();
    }

    private static List<Part> read(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            List<Part> parts = new ArrayList<>();
            JSON.readTree(json).forEach(p -> parts.add(new Part(p.path("id").asText(null), p.path("text").asText(""), p.path("sender").asText(null))));
            return parts;
        } catch (Exception e) {
            throw new IllegalStateException("unreadable window parts", e);
        }
    }

    private static String write(List<Part> parts) {
        ArrayNode out = JSON.createArrayNode();
        for (Part p : parts) {
            ObjectNode o = out.addObject().put("id", p.id()).put("text", p.text());
            if (p.sender() != null) {
                o.put("sender", p.sender());
            }
        }
        return out.toString();
    }
}
