package io.larkway.flow.inbox;

/**
 * An accepted event's state as tests read it (V20): {@code 'accepted'} while it has a claim in
 * {@code inbox_claims}, {@code 'done'} once the claim is gone. Select it from {@code inbound_events e}.
 */
public final class InboxRows {
    public static final String STATE = "CASE WHEN EXISTS (SELECT 1 FROM inbox_claims c WHERE c.event_id = e.id) THEN 'accepted' ELSE 'done' END";

    private InboxRows() {
    }
}
