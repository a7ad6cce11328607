package io.larkway.camel.lark.ws;

import io.larkway.camel.lark.LarkEvent;
import java.util.function.BiConsumer;

/** Where long connections hand their events: the running {@code lark:events} consumer. */
public interface EventSink {
    /**
     * Processes one event off the event loop; calls {@code done} exactly once, with true when the
     * route completed without an exception (the event may be acked 200), else false, and the
     * callback's answer (JSON bytes, for a card action; else null) that goes into the ack's data.
     */
    void deliver(String integrationId, String appId, LarkEvent event, Frame frame, BiConsumer<Boolean, byte[]> done);
}
