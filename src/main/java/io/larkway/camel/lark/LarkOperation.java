package io.larkway.camel.lark;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a {@code lark:} endpoint does, named by its URI path: the event stream, or one IM operation. */
public enum LarkOperation {
    /** Consumer only: the events of every enabled long-connection integration. */
    events,
    /** Sends a message to a chat or user ({@code POST /open-apis/im/v1/messages}). */
    send,
    /** Replies to a message, optionally in its thread ({@code POST …/messages/{id}/reply}). */
    reply,
    /** Updates a card message the bot sent ({@code PATCH …/messages/{id}}). */
    patch,
    /** Adds an emoji reaction to a message ({@code POST …/messages/{id}/reactions}). */
    addReaction,
    /** Removes a reaction the bot added ({@code DELETE …/messages/{id}/reactions/{reactionId}}). */
    removeReaction,
    /** Uploads an image (the body's bytes) for messages ({@code POST /open-apis/im/v1/images}, image_type message). */
    uploadImage,
    /** Creates a CardKit card entity from the body's card JSON ({@code POST /open-apis/cardkit/v1/cards}). */
    createCard,
    /** Sets the full text of a card entity's element, streaming ({@code PUT /open-apis/cardkit/v1/cards/{id}/elements/{elementId}/content}). */
    updateCardElement,
    /** Updates a card entity's settings, e.g. ends streaming ({@code PATCH /open-apis/cardkit/v1/cards/{id}/settings}). */
    updateCardSettings;

    /** The operation named {@code name}, or a clear error listing the ones that exist. */
    public static LarkOperation of(String name) {
        return Arrays.stream(values()).filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown lark operation '" + name + "': use lark:events (consumer) or one of "
                        + Arrays.stream(values()).filter(o -> o != events).map(o -> "lark:" + o).collect(Collectors.joining(", "))
                        + " (producer)"));
    }
}
