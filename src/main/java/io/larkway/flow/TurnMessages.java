package io.larkway.flow;

/** Header {@link FlowHeaders#TURN_MESSAGES}: JSON arrays of a turn's messages, joined in order as windows and waiting queues merge them. */
public final class TurnMessages {
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
}
