package io.larkway.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/** Header {@link FlowHeaders#TURN_MESSAGES}: JSON arrays of a turn's messages, joined in order as windows and waiting queues merge them. */
public final class TurnMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TurnMessages() {
    }

    /** {@code a} then {@code b}, either may be null (a message that predates the header, or had no readable content). */
    public static String join(String a, String b) {
        if (a == null || a.length() < 3) {
            return b;
        }
        if (b == null || b.length() < 3) {
            return a;
        }
        return a.substring(0, a.lastIndexOf(']')) + "," + b.substring(b.indexOf('[') + 1);
    }

    /** The messages {@code turn} without message {@code messageId} (a recalled one); null stays null. */
    public static String without(String turn, String messageId) {
        if (turn == null) {
            return null;
        }
        try {
            ArrayNode kept = JSON.createArrayNode();
            for (JsonNode message : JSON.readTree(turn)) {
                if (!messageId.equals(message.path("messageId").asText(null))) {
                    kept.add(message);
                }
            }
            return kept.toString();
        } catch (Exception e) {
            throw new IllegalStateException("unreadable turn messages", e);
        }
    }
}
