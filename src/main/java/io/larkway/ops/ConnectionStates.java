package io.larkway.ops;

import java.util.List;
import java.util.Map;

/** Connection states of every integration on this instance, for the dev console and health (long connection fills it). */
public interface ConnectionStates {
    /** One map per integration: {@code integrationId, mode, state, lastError, …}. */
    List<Map<String, Object>> all();
}
