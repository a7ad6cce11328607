package io.larkway.flow.converse;

/**
 * A turn's question and the expert's answer, kept in the conversation's history
 * ({@code conversation_turns}) in the same transaction that ends the turn: one commit less per
 * message, and a turn that is run again after a crash is never in the history twice.
 */
public record TurnHistory(String conversationId, String question, String answer) {
}
