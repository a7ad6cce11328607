package io.larkway.admin;

import java.util.Map;

/** Asks Lark for a long-connection endpoint and tries the handshake, without disturbing a live connection. */
public interface LongConnectionProbe {
    /** {@code {connected, state, lastError}}. */
    Map<String, Object> probe(Integration integration);
}
